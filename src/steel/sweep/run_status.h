// Where each run of a sweep stands, read from the run folders themselves (so any process can tell).
#pragma once

#include <string>
#include <vector>

namespace steel::sweep {

enum class RunState {
  kPending,      ///< nothing written yet
  kStarted,      ///< a checkpoint but no result, and nobody training it: interrupted, resumable
  kRunning,      ///< a steel_train holds fold_<k>/running.lock right now
  kFailed,       ///< the last attempt (local or a Slurm task) exited with an error (fold_<k>/sweep_failed.txt)
  kFinished,     ///< result.csv present
};
std::string to_string(RunState state);

struct RunStatus {
  std::string backbone;
  int fold = 0;
  RunState state = RunState::kPending;
  int epochs_done = 0;  ///< rows of metrics.csv
  std::string note;     ///< the failure's exit code, or who is running it
};

/// The state of every (backbone, fold) of the grid under `out_dir`, backbone-major.
std::vector<RunStatus> collect_status(const std::string& out_dir, const std::vector<std::string>& backbones,
                                      const std::vector<int>& folds);
/// A fixed-width table of `runs` with a summary line (counts per state).
std::string status_table(const std::vector<RunStatus>& runs);

}  // namespace steel::sweep
