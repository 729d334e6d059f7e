// What steel_sweep runs (the backbone x fold grid) and where (locally under mpirun, or as Slurm jobs).
#pragma once

#include <string>
#include <vector>

#include "steel/models/backbone_names.h"

namespace steel::sweep {

struct SweepOptions {
  std::string mode = "local";  ///< local | slurm
  std::string data_dir;        ///< steel_prep folder
  std::string out_dir = "runs";
  std::string report_dir = "report";
  /// The thesis's eight backbones by default.
  std::vector<std::string> backbones = models::thesis_backbones();
  std::vector<int> folds;      ///< empty: every fold of the prep folder
  int ranks = 1;               ///< processes per training run (mpirun -np / Slurm tasks)
  std::string train_args;      ///< extra steel_train arguments, split on spaces
  std::string eval_args;       ///< extra steel_eval arguments
  std::string bin_dir;         ///< folder of steel_train, steel_eval, steel_report; default: steel_sweep's own
  std::string mpirun = "mpirun";
  bool dry_run = false;        ///< print the plan (and Slurm scripts) without running anything
  bool status = false;         ///< print the state table and exit
  bool wait = false;           ///< slurm: block until the submitted jobs have left the queue

  // Slurm.
  std::string slurm_dir;       ///< the batch-script templates; default: the source tree's slurm/
  std::string partition;
  std::string account;
  std::string time_limit = "24:00:00";
  int nodes = 1;               ///< nodes per training job; its `ranks` tasks are spread over them
  int gpus_per_task = 0;       ///< 0: CPU jobs
  int cpus_per_task = 1;
  std::string launcher = "srun";  ///< how train.sbatch starts the ranks: srun | mpirun
};

/// Throws steel::ConfigError naming the first invalid option.
void validate(const SweepOptions& options);

/// "a b  c" -> {"a", "b", "c"}.
std::vector<std::string> split_args(const std::string& text);

}  // namespace steel::sweep
