// The files a training run leaves for the sweep, the report and users' scripts (besides metrics.csv and weights).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "steel/train/epoch_record.h"

namespace steel::train {

/// The outcome of one finished fold: a row of folds.csv, also kept as fold_<k>/result.csv so that a fold that
/// has one is known to be finished.
struct FoldResult {
  int fold = 0;
  int best_epoch = 0;   ///< 1-based
  int epochs_run = 0;
  bool stopped_early = false;
  EpochRecord best;     ///< the metrics of the best epoch
  double seconds = 0;   ///< wall time of the fold, all sessions of a resumed run added up
};

std::string fold_result_csv(const std::vector<FoldResult>& results);
/// Reads a file written from fold_result_csv; nullopt when it does not exist; DataError when it is malformed.
std::optional<FoldResult> read_fold_result(const std::string& path);

/// Paths inside <out>/<backbone>/.
struct RunPaths {
  std::string backbone_dir;
  std::string fold_dir(int fold) const;
  std::string metrics_csv(int fold) const;
  std::string best_weights(int fold) const;
  std::string checkpoint(int fold) const;
  std::string result_csv(int fold) const;
  std::string run_json(int fold) const;
  std::string run_lock(int fold) const;  ///< held by the trainer of the fold (core/run_lock.h)
  std::string folds_csv() const;
};

}  // namespace steel::train
