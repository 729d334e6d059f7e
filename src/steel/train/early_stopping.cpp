#include "steel/train/early_stopping.h"

#include <cmath>

namespace steel::train {

bool EarlyStopping::update(int epoch, double value) {
  // Keras negates min_delta for mode "min" and then tests `current - min_delta < best`, i.e. this.
  if (std::isfinite(value) && value + options_.min_delta < best) {
    best = value;
    best_epoch = epoch;
    wait = 0;
    return true;
  }
  ++wait;
  return false;
}

}  // namespace steel::train
