#include "steel/models/batch_norm.h"

// Debian's libtorch 1.13 does not export this member of its BatchNorm2d base, which any class deriving
// from torch::nn::BatchNorm2dImpl needs for its vtable. Same text as LibTorch's own definition.
template <>
void torch::nn::BatchNormImplBase<2, torch::nn::BatchNorm2dImpl>::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "torch::nn::BatchNorm2d(" << options.num_features() << ", eps=" << options.eps()
         << ", momentum=";
  if (options.momentum().has_value()) {
    stream << options.momentum().value();
  } else {
    stream << "None";
  }
  stream << ", affine=" << options.affine() << ", track_running_stats=" << options.track_running_stats() << ")";
}

namespace steel::models {

torch::Tensor BatchNorm2dImpl::forward(const torch::Tensor& x) {
  if (!is_training() || !train_forward_ || !options.track_running_stats()) {
    return torch::nn::BatchNorm2dImpl::forward(x);
  }
  TORCH_CHECK(x.dim() == 4, "BatchNorm2d: expected 4D input, got ", x.dim(), "D");
  // Mirrors BatchNormImplBase::forward's momentum resolution, so hooked and plain layers age identically.
  double factor = options.momentum().value_or(0.0);
  if (num_batches_tracked.defined()) {
    num_batches_tracked += 1;
    if (!options.momentum().has_value()) factor = 1.0 / num_batches_tracked.item<double>();
  }
  return train_forward_(x, weight, bias, running_mean, running_var, factor, options.eps());
}

}  // namespace steel::models
