// How this process was started (mpirun, srun, torchrun-style variables or alone): rank, world size, rendezvous.
#pragma once

#include <functional>
#include <string>

namespace steel::dist {

/// Where this process sits in the job and where the ranks meet. Filled by detect_launch().
struct LaunchInfo {
  /// Global rank in [0, world_size).
  int rank = 0;
  int world_size = 1;
  /// Rank among the processes on this host; picks the GPU (cuda:local_rank).
  int local_rank = 0;
  /// "mpi", "slurm", "env" or "single".
  std::string launcher = "single";
  /// Host and TCP port of rank 0's rendezvous store; empty/0 for a single process.
  std::string master_addr;
  int master_port = 0;
};

/// Detects the launcher, first match wins:
///  1. MPI (Open MPI's OMPI_COMM_WORLD_SIZE, PMIx's PMIX_RANK or PMI's PMI_RANK is set): initialises MPI
///     unless the caller already has, takes rank and size from MPI_COMM_WORLD and the local rank from
///     OMPI_COMM_WORLD_LOCAL_RANK (else from an MPI_Comm_split_type(SHARED) communicator). Rank 0 binds a
///     free TCP port, closes it, and MPI_Bcast's "hostname:port". MPI is used for nothing else: collectives
///     go through c10d (Group).
///  2. Slurm srun (SLURM_PROCID and SLURM_NTASKS): see detect_launch_from().
///  3. torchrun-style RANK / WORLD_SIZE / LOCAL_RANK / MASTER_ADDR / MASTER_PORT.
///  4. A single process.
/// Throws steel::ConfigError naming the variable when a value is not a number or is out of range.
LaunchInfo detect_launch();

/// Calls MPI_Finalize if detect_launch() initialised MPI and nobody finalised it yet; otherwise does
/// nothing. Safe to call more than once. Call it after the last Group is destroyed.
void finalize_launch();

/// Reads one environment variable: nullptr when unset. The parameter of detect_launch_from().
using EnvLookup = std::function<const char*(const char* name)>;

/// The non-MPI part of detect_launch() with an injectable environment, for tests. Slurm: rank
/// SLURM_PROCID, size SLURM_STEP_NUM_TASKS (set by srun for its step) or else SLURM_NTASKS, local rank
/// SLURM_LOCALID; master address MASTER_ADDR or the first host of SLURM_STEP_NODELIST / SLURM_JOB_NODELIST;
/// master port MASTER_PORT or 15000 + SLURM_JOB_ID % 20000, so every job of a shared cluster gets its own
/// port without coordination. Env: RANK and WORLD_SIZE (both or neither), LOCAL_RANK (default 0),
/// MASTER_ADDR (default 127.0.0.1), MASTER_PORT (default 29500, PyTorch's).
LaunchInfo detect_launch_from(const EnvLookup& env);

/// The first host name of a Slurm node list: "gpu[07-09,12],cpu1" -> "gpu07", "rack[1-2]-n[3,5]" ->
/// "rack1-n3", "a,b" -> "a". Zero padding is kept. Used instead of `scontrol show hostnames` so that
/// rendezvous does not depend on Slurm's tools being on PATH. Throws ConfigError on an empty or
/// unbalanced list.
std::string first_host_in_nodelist(const std::string& nodelist);

}  // namespace steel::dist
