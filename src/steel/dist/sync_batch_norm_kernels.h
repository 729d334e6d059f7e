// The per-element halves of SyncBatchNorm on CUDA, through ATen's own SyncBatchNorm kernels (internal to
// steel::dist; defined in sync_batch_norm_cuda.cpp, built only against a CUDA LibTorch).
#pragma once

#include <torch/torch.h>

namespace steel::dist::cuda_kernels {

/// y = (x - mean) * invstd * weight + bias in one kernel, keeping x's memory format (channels-last too).
/// mean and invstd are float32 per-channel vectors; weight and bias may be undefined.
torch::Tensor normalize(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                        const torch::Tensor& mean, const torch::Tensor& invstd);

/// This rank's per-channel sums of dy and dy*(x-mean) (float32), and weight's and bias's gradients in
/// their parameters' dtypes (undefined for an absent parameter), in one pass over dy and x.
struct LocalGradSums {
  torch::Tensor sum_dy, sum_dy_xmu, grad_weight, grad_bias;
};
LocalGradSums reduce_grads(const torch::Tensor& dy, const torch::Tensor& x, const torch::Tensor& mean,
                           const torch::Tensor& invstd, const torch::Tensor& weight,
                           c10::optional<at::ScalarType> bias_dtype);

/// dx from the sums over all ranks and `count`, the global number of values per channel (a 1-element
/// tensor on x's device), in one kernel.
torch::Tensor input_grad(const torch::Tensor& dy, const torch::Tensor& x, const torch::Tensor& mean,
                         const torch::Tensor& invstd, const torch::Tensor& weight, const torch::Tensor& sum_dy,
                         const torch::Tensor& sum_dy_xmu, const torch::Tensor& count);

}  // namespace steel::dist::cuda_kernels
