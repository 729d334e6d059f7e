#include "steel/eval/single_process.h"

#include "steel/core/error.h"
#include "steel/dist/launch.h"

namespace steel::eval {

void require_single_process(const std::string& tool) {
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
