// BatchNorm without a learned scale (Keras `scale=False`), as in the ResNet encoders' `bn_data` input layer.
#pragma once

#include <cstdint>

#include <torch/torch.h>

#include "steel/models/batch_norm.h"

namespace steel::models {

/// Options for `BatchNormNoScale2d`; defaults are PyTorch's (momentum in PyTorch convention).
struct BatchNormNoScale2dOptions {
  explicit BatchNormNoScale2dOptions(int64_t num_features) : num_features_(num_features) {}
  TORCH_ARG(int64_t, num_features);
  TORCH_ARG(double, eps) = 1e-5;
  /// Weight of the new batch statistic in the running average (Keras momentum 0.99 == 0.01 here).
  TORCH_ARG(double, momentum) = 0.1;
};

/// y = (x - mean) / sqrt(var + eps) + bias, per channel, with batch statistics in training mode and
/// running statistics in eval mode. It has no gamma, unlike torch::nn::BatchNorm2d(affine=true), so its
/// parameter count (C, not 2C) matches the Keras layer it reproduces.
class BatchNormNoScale2dImpl : public torch::nn::Module {
 public:
  explicit BatchNormNoScale2dImpl(BatchNormNoScale2dOptions options);

  /// x [N,C,H,W] -> same shape.
  torch::Tensor forward(const torch::Tensor& x);

  const BatchNormNoScale2dOptions& options() const { return options_; }
  /// Changes the running-average momentum of a built layer (see set_batch_norm_momentum).
  void set_momentum(double momentum) { options_.momentum(momentum); }

  /// Installs (or, with an empty function, removes) the training-mode forward, as in steel's BatchNorm2d;
  /// the hook gets an undefined weight. This layer has no num_batches_tracked.
  void set_train_forward(BatchNormTrainForward hook) { train_forward_ = std::move(hook); }
  bool has_train_forward() const { return static_cast<bool>(train_forward_); }

  /// The learned shift (Keras `beta`), initialised to zero.
  torch::Tensor bias;
  torch::Tensor running_mean;
  torch::Tensor running_var;

 private:
  BatchNormNoScale2dOptions options_;
  BatchNormTrainForward train_forward_;
};
TORCH_MODULE(BatchNormNoScale2d);

}  // namespace steel::models
