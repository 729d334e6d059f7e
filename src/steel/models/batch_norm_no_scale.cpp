#include "steel/models/batch_norm_no_scale.h"

namespace steel::models {

BatchNormNoScale2dImpl::BatchNormNoScale2dImpl(BatchNormNoScale2dOptions options) : options_(std::move(options)) {
  const int64_t c = options_.num_features();
  TORCH_CHECK(c > 0, "BatchNormNoScale2d: num_features must be positive, got ", c);
  bias = register_parameter("bias", torch::zeros({c}));
  running_mean = register_buffer("running_mean", torch::zeros({c}));
  running_var = register_buffer("running_var", torch::ones({c}));
}

torch::Tensor BatchNormNoScale2dImpl::forward(const torch::Tensor& x) {
  if (is_training() && train_forward_) {
    return train_forward_(x, /*weight=*/torch::Tensor(), bias, running_mean, running_var, options_.momentum(),
                          options_.eps());
  }
  namespace F = torch::nn::functional;
  return F::batch_norm(x, running_mean, running_var,
                       F::BatchNormFuncOptions()
                           .bias(bias)
                           .training(is_training())
                           .momentum(options_.momentum())
                           .eps(options_.eps()));
}

}  // namespace steel::models
