// Compiled only against a CUDA LibTorch (CMake's STEEL_WITH_CUDA). ATen's batch_norm_elemt,
// batch_norm_backward_reduce and batch_norm_backward_elemt are the kernels PyTorch's own SyncBatchNorm runs
// on CUDA: each is one pass over the activations, where the generic path (sync_batch_norm.cpp) makes several
// passes and float64 temporaries the size of the input.
#include "steel/dist/sync_batch_norm_kernels.h"

#include <tuple>

namespace steel::dist::cuda_kernels {
namespace {

c10::optional<torch::Tensor> optional(const torch::Tensor& t, const torch::Tensor& like) {
  // The mixed-precision kernels (bf16/fp16 input, float32 statistics) want the parameters in float32 too.
  return t.defined() ? c10::optional<torch::Tensor>(t.to(like.scalar_type())) : c10::nullopt;
}

}  // namespace

torch::Tensor normalize(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                        const torch::Tensor& mean, const torch::Tensor& invstd) {
  // eps is already inside invstd; batch_norm_elemt uses it only to turn a variance into invstd.
  return at::batch_norm_elemt(x, optional(weight, mean), optional(bias, mean), mean, invstd, /*eps=*/0.0);
}

LocalGradSums reduce_grads(const torch::Tensor& dy, const torch::Tensor& x, const torch::Tensor& mean,
                           const torch::Tensor& invstd, const torch::Tensor& weight,
                           c10::optional<at::ScalarType> bias_dtype) {
  // The kernel computes parameter gradients only for an affine layer (weight and bias both present): it
  // allocates them like the weight. Without a weight, the bias gradient is this rank's sum of dy.
  const bool affine = weight.defined();
  auto [sum_dy, sum_dy_xmu, grad_weight, grad_bias] = at::batch_norm_backward_reduce(
      dy, x, mean, invstd, optional(weight, mean), /*input_g=*/true, /*weight_g=*/affine, /*bias_g=*/affine);
  LocalGradSums sums{sum_dy, sum_dy_xmu, {}, {}};
  if (affine) sums.grad_weight = grad_weight.to(weight.scalar_type());
  if (bias_dtype) sums.grad_bias = (affine ? grad_bias : sum_dy).to(*bias_dtype);
  return sums;
}

torch::Tensor input_grad(const torch::Tensor& dy, const torch::Tensor& x, const torch::Tensor& mean,
                         const torch::Tensor& invstd, const torch::Tensor& weight, const torch::Tensor& sum_dy,
                         const torch::Tensor& sum_dy_xmu, const torch::Tensor& count) {
  // The kernel divides by the sum of a vector of per-rank counts (int32); the global count alone has the
  // same sum.
  return at::batch_norm_backward_elemt(dy, x, mean, invstd, optional(weight, mean), sum_dy, sum_dy_xmu,
                                       count.to(torch::kInt32));
}

}  // namespace steel::dist::cuda_kernels
