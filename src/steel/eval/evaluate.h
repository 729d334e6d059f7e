// steel_eval's engine: every fold's best model and their ensemble scored on the held-out test shard (Figure 57).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "steel/eval/classification.h"
#include "steel/train/metrics.h"

namespace steel::eval {

struct EvalOptions {
  std::string run_dir;   ///< runs/<backbone>: holds fold_<k>/best.h5 and run.json
  std::string data_dir;  ///< the steel_prep folder the run was trained on (test.h5)
  double threshold = 0.5;
  int64_t min_pixels = 200;  ///< at the stored resolution, as the thesis counted on its 128x800 masks
  int batch_size = 8;
  std::string device = "auto";  ///< cpu | cuda | auto
  int overlays = 8;             ///< test images drawn per run (ensemble), and validation images per fold
  int loader_threads = 2;
  int threads = 0;              ///< intra-op threads (0: LibTorch's default)
};

/// The scores of one model ("fold_3") or of the ensemble ("ensemble": the mean of the fold models'
/// probabilities) on the test shard.
struct ModelScores {
  std::string model;
  int64_t records = 0;
  train::MetricSummary metrics;  ///< test loss, the thesis's Dice, the Kaggle mean Dice
  ClassificationCounts counts;   ///< image-level labels under the 200-pixel rule
};

/// The test_metrics.csv header and rows.
std::string test_metrics_csv(const std::vector<ModelScores>& scores);

/// Loads every finished fold (fold_<k>/best.h5, backbone from its run.json), scores each and the ensemble on
/// <data_dir>/test.h5, writes <run_dir>/test_metrics.csv and PNG overlays under <run_dir>/overlays/, and returns
/// the scores (folds in order, then the ensemble). Throws DataError naming the file when there is no finished
/// fold, no test shard, or a shard from another prep run.
std::vector<ModelScores> run_eval(const EvalOptions& options);

}  // namespace steel::eval
