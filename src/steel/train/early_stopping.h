// Keras' EarlyStopping(monitor="val_loss", mode="min", patience, restore_best_weights) as a small state machine.
#pragma once

#include <limits>

namespace steel::train {

struct EarlyStoppingOptions {
  int patience = 15;       ///< epochs without improvement before stopping
  double min_delta = 0.0;  ///< an improvement must beat the best by more than this
};

/// Feed it one monitored value per epoch; it says whether that epoch is the new best (save the weights)
/// and whether training should stop. Its whole state is the three public fields, so a checkpoint can
/// store and restore it exactly.
class EarlyStopping {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {}) : options_(options) {}

  /// Records epoch `epoch`'s value; returns true when it improves on the best so far. A non-finite value never
  /// improves.
  bool update(int epoch, double value);
  /// True once `patience` epochs in a row have not improved (Keras: wait >= patience).
  bool should_stop() const { return wait >= options_.patience; }

  const EarlyStoppingOptions& options() const { return options_; }

  double best = std::numeric_limits<double>::infinity();
  int best_epoch = -1;  ///< -1 until the first finite value
  int wait = 0;         ///< epochs since the last improvement

 private:
  EarlyStoppingOptions options_;
};

}  // namespace steel::train
