// A finished fold's outcome: fold_<k>/result.csv (its presence marks the fold finished) and the run's folds.csv.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "steel/run/epoch_record.h"
#include "steel/run/run_paths.h"

namespace steel::run {

/// One row of folds.csv, also kept as fold_<k>/result.csv.
struct FoldResult {
  int fold = 0;
  int best_epoch = 0;  ///< 1-based
  int epochs_run = 0;
  bool stopped_early = false;
  EpochRecord best;    ///< the metrics of the best epoch
  double seconds = 0;  ///< wall time of the fold, all sessions of a resumed run added up
};

std::string fold_result_csv(const std::vector<FoldResult>& results);
/// Reads a file written from fold_result_csv; nullopt when it does not exist; DataError when it is malformed.
std::optional<FoldResult> read_fold_result(const std::string& path);

/// Rewrites folds.csv from the result.csv of folds 0..num_folds-1, so that it is right whichever folds ran in
/// which session. Array tasks of one backbone finish at the same time: an exclusive lock (folds_lock) makes
/// each read-all-then-write complete before the next, so the last writer includes every fold.
void update_folds_csv(const RunPaths& paths, int num_folds);

}  // namespace steel::run
