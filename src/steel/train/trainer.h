// steel_train's engine: the thesis' training protocol on every fold (or one), with checkpoints and resume.
#pragma once

#include <cstdint>
#include <functional>

#include "steel/train/train_options.h"

namespace steel::train {

/// Callbacks for tests and tools; the training loop calls them between steps.
struct TrainHooks {
  /// After every training step (fold, 0-based epoch, global batches done in the epoch so far).
  std::function<void(int fold, int64_t epoch, int64_t step)> after_step;
};

/// Trains `options.fold`, or every fold in turn, writing <out>/<backbone>/fold_<k>/{metrics.csv, best.h5,
/// checkpoint.pt, result.csv, run.json} and <out>/<backbone>/folds.csv. Returns exit_code::kOk, or
/// exit_code::kPreempted when SIGTERM/SIGUSR1 stopped it after writing a checkpoint. Throws ConfigError,
/// DataError, DistError or TrainingError (see steel/core/error.h).
int run_training(const TrainOptions& options, const TrainHooks& hooks = {});

}  // namespace steel::train
