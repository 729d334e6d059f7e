// steel's BatchNorm2d: torch's layer plus a replaceable training-mode forward, so SyncBatchNorm can be installed.
#pragma once

#include <functional>

#include <torch/torch.h>

namespace steel::models {

/// A training-mode batch-norm forward that replaces the local one (e.g. a cross-rank SyncBatchNorm).
/// It normalises `x` [N,C,...] with statistics of its choosing, updates `running_mean`/`running_var` in
/// place with weight `momentum` (already resolved: the cumulative 1/num_batches_tracked average when the
/// layer's momentum is unset) and returns the output. `weight` is undefined for layers without a scale.
/// Models know nothing of distribution: steel::dist::enable_sync_batch_norm installs the hook.
using BatchNormTrainForward =
    std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                torch::Tensor& running_mean, torch::Tensor& running_var, double momentum,
                                double eps)>;

/// torch::nn::BatchNorm2d whose training-mode forward can be replaced by a hook. It inherits torch's layer,
/// so parameter and buffer names, Keras bindings and `dynamic_cast<torch::nn::BatchNorm2dImpl*>` are
/// unchanged; torch's forward is not virtual, so only calls through this type (steel's models) see the hook.
/// clone() is torch's and returns a plain torch::nn::BatchNorm2dImpl without the hook.
class BatchNorm2dImpl : public torch::nn::BatchNorm2dImpl {
 public:
  using torch::nn::BatchNorm2dImpl::BatchNorm2dImpl;

  /// x [N,C,H,W] -> same shape. In training mode with a hook installed and running statistics tracked,
  /// num_batches_tracked is incremented here exactly as torch's forward does, then the hook runs.
  torch::Tensor forward(const torch::Tensor& x);

  /// Installs (or, with an empty function, removes) the training-mode forward. Eval mode never uses it.
  void set_train_forward(BatchNormTrainForward hook) { train_forward_ = std::move(hook); }
  bool has_train_forward() const { return static_cast<bool>(train_forward_); }

 private:
  BatchNormTrainForward train_forward_;
};
TORCH_MODULE(BatchNorm2d);

}  // namespace steel::models
