// The guard of the tools that run as one process (steel_eval, steel_predict, steel_report): started as several ranks
// (mpirun -np N, srun -n N) they would be N full copies writing the same files, so they refuse instead.
#pragma once

#include <string>

namespace steel::eval {

/// Throws ConfigError (exit code 2) naming `tool` when this process was started as one of several ranks, as
/// dist::detect_launch() sees the launch (MPI, Slurm or RANK/WORLD_SIZE); returns quietly for a single process,
/// `mpirun -np 1` included. Forms no process group and leaves MPI finalised (if detect_launch initialised it).
void require_single_process(const std::string& tool);

}  // namespace steel::eval
