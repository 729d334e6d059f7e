// The resume checkpoint of one fold: model, optimizer, loop position, early stopping, history and RNG, written atomically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "steel/train/early_stopping.h"
#include "steel/run/epoch_record.h"

namespace steel::train {

/// Where the loop stands. A checkpoint taken at an epoch boundary has step == 0; one taken when a signal
/// stopped the run mid-epoch has the number of global batches already trained in `epoch` and their metric sums,
/// so a resumed run continues with the very next batch and ends with the same numbers.
struct LoopState {
  int64_t epoch = 0;               ///< 0-based epoch to run (or continue)
  int64_t step = 0;                ///< global batches of `epoch` already trained
  torch::Tensor train_sums;        ///< MetricSums of those batches (float64, CPU)
  double train_seconds = 0;        ///< time spent on them
  int64_t global_step = 0;         ///< batches trained in this fold so far
  EarlyStopping early_stopping;
  std::vector<run::EpochRecord> history;
  /// "key=value;..." of every setting a resumed run must share with the run that wrote the checkpoint (see
  /// run_signature in resume.h); empty in checkpoints of older versions.
  std::string run_signature;
  /// The fp16 loss scaler's scale and good-step count (LossScaler::restore); 0 when the run does not scale the
  /// loss or the checkpoint predates them.
  double loss_scale = 0;
  int64_t loss_scale_good_steps = 0;
};

/// Writes model parameters and buffers, optimizer state, `state` and the CPU generator's state to `path`
/// (temp file, fsync, rename: a failure, e.g. a full disk, leaves the previous checkpoint intact and throws
/// steel::DataError).
void save_checkpoint(const std::string& path, const torch::nn::Module& model, const torch::optim::Optimizer& optimizer,
                     const LoopState& state);

/// Restores what save_checkpoint wrote into `model` (on its current device), `optimizer` and `state`, and sets
/// the CPU generator's state. A file that cannot be read or does not fit the model throws steel::DataError
/// naming `path`.
void load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                     LoopState& state);

}  // namespace steel::train
