// The guard of the tools that run as one process (steel_eval, steel_predict, steel_report): started as several ranks
// (mpirun -np N, srun -n N) they would be N full copies writing the same files, so they refuse instead.
#pragma once

#include <string>

#include "steel/core/error.h"
#include "steel/dist/launch.h"

namespace steel::eval {

/// Throws ConfigError (exit code 2) naming `tool` when this process was started as one of several ranks, as
/// dist::detect_launch() sees the launch (MPI, Slurm or RANK/WORLD_SIZE); returns quietly for a single process,
/// `mpirun -np 1` included. Forms no process group and leaves MPI finalised (if detect_launch initialised it).
inline void require_single_process(const std::string& tool) {
  dist::LaunchInfo launch;
  try {
    launch = dist::detect_launch();
  } catch (...) {
    dist::finalize_launch();
    throw;
  }
  // MPI was initialised, if at all, only to learn the world size. Finalised now, a refusing rank exits with this
  // error rather than with mpirun's "exited without calling finalize", and the tool's own work runs outside MPI.
  dist::finalize_launch();
  if (launch.world_size <= 1) return;
  const std::string how = launch.launcher == "mpi"     ? "under MPI (mpirun/mpiexec)"
                          : launch.launcher == "slurm" ? "by Slurm (SLURM_PROCID, SLURM_STEP_NUM_TASKS or SLURM_NTASKS)"
                                                       : "per RANK/WORLD_SIZE in the environment";
  const std::string copies = std::to_string(launch.world_size) + " copies of " + tool;
  throw ConfigError("started " + how + " as rank " + std::to_string(launch.rank) + " of " +
                    std::to_string(launch.world_size) + ", but " + copies +
                    " would all write the same files. Run it as one process: plainly (without RANK and WORLD_SIZE "
                    "set), with `mpirun -np 1` or with `srun -n 1`.");
}

}  // namespace steel::eval
