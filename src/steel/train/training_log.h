// steel_train's TensorBoard log of one fold, written by rank 0 beside metrics.csv: loss and images/s every
// step, every metrics.csv column and a few validation overlays every epoch, and the run's configuration as
// hyperparameters, so that `tensorboard --logdir runs/` compares the runs of a sweep.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "steel/run/epoch_record.h"
#include "steel/tensorboard/event_writer.h"
#include "steel/train/resolved_config.h"

namespace steel::train {

class TrainingLog {
 public:
  /// A new event file in `fold_dir` with the configuration as hyperparameters. `resume_step`: the global step
  /// a resumed run continues from (readers then drop what an interrupted session logged after it); 0 for a new
  /// run.
  TrainingLog(const std::string& fold_dir, const ResolvedConfig& config, int fold, int64_t resume_step);

  /// train/loss and train/images_per_second at `global_step`.
  void step(int64_t global_step, double loss, double images_per_second);
  /// epoch/<column> for every metrics.csv column, and val/overlay_<i> pictures, at step = the epoch (1-based).
  void epoch(const run::EpochRecord& record, const std::vector<cv::Mat>& overlays);
  /// The run's end, successful or not, as TensorBoard's HPARAMS tab shows it.
  void finished(bool success);

 private:
  tensorboard::EventWriter writer_;
};

}  // namespace steel::train
