// Dynamic loss scaling for fp16 training (what torch.cuda.amp.GradScaler does), which LibTorch's C++ API lacks.
#pragma once

#include <vector>

#include <torch/torch.h>

namespace steel::train {

/// fp16 gradients of small losses underflow to zero; the loss is multiplied by `scale` before backward and the
/// gradients divided by it before the step. A step whose gradients overflowed is skipped and the scale halved;
/// after `growth_interval` good steps it doubles. Disabled scalers pass everything through.
class LossScaler {
 public:
  explicit LossScaler(bool enabled, double initial_scale = 65536.0, int growth_interval = 2000)
      : enabled_(enabled), scale_(initial_scale), growth_interval_(growth_interval) {}

  torch::Tensor scale(const torch::Tensor& loss) const { return enabled_ ? loss * scale_ : loss; }
  /// Divides the gradients by the scale; returns false (skip the optimizer step) when any is inf or NaN. Every
  /// rank sees the same averaged gradients, so every rank takes the same decision.
  bool unscale_and_check(const std::vector<torch::Tensor>& parameters);
  double current_scale() const { return scale_; }
  /// Good steps since the scale last changed: with current_scale(), what a resumed run must continue from.
  int good_steps() const { return good_steps_; }
  /// Continues from a checkpoint's scale and count (an fp16 resume would otherwise start again at the
  /// initial scale and overflow its way back down).
  void restore(double scale, int good_steps) {
    scale_ = scale;
    good_steps_ = good_steps;
  }
  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
  double scale_;
  int growth_interval_;
  int good_steps_ = 0;
};

}  // namespace steel::train
