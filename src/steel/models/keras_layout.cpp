#include "steel/models/keras_layout.h"

namespace steel::models {

namespace {

// Keras (kh,kw,in,out) <-> torch (out,in,kh,kw) are different permutations in each direction.
const std::vector<int64_t> kConvToKeras{2, 3, 1, 0};
const std::vector<int64_t> kConvFromKeras{3, 2, 0, 1};
// (C,1,kh,kw) <-> (kh,kw,C,1) swaps the two axis pairs, so it is its own inverse.
const std::vector<int64_t> kDepthwiseSwap{2, 3, 0, 1};

}  // namespace

std::vector<int64_t> keras_shape(const KerasBinding& binding) {
  const auto s = binding.tensor.sizes();
  switch (binding.transform) {
    case KerasTransform::kConvKernel:
      TORCH_CHECK(s.size() == 4, "conv kernel of layer ", binding.layer, " must be 4-D, got ", s);
      return {s[2], s[3], s[1], s[0]};
    case KerasTransform::kDepthwiseKernel:
      TORCH_CHECK(s.size() == 4 && s[1] == 1, "depthwise kernel of layer ", binding.layer,
                  " must be (C,1,kh,kw), got ", s);
      return {s[2], s[3], s[0], s[1]};
    case KerasTransform::kIdentity:
      break;
  }
  return s.vec();
}

torch::Tensor to_keras_layout(const KerasBinding& binding) {
  torch::NoGradGuard no_grad;
  torch::Tensor t = binding.tensor.detach().to(torch::kCPU, torch::kFloat32);
  switch (binding.transform) {
    case KerasTransform::kConvKernel:
      t = t.permute(kConvToKeras);
      break;
    case KerasTransform::kDepthwiseKernel:
      t = t.permute(kDepthwiseSwap);
      break;
    case KerasTransform::kIdentity:
      break;
  }
  return t.contiguous();
}

torch::Tensor from_keras_layout(KerasTransform transform, const torch::Tensor& keras_tensor) {
  switch (transform) {
    case KerasTransform::kConvKernel:
      return keras_tensor.permute(kConvFromKeras);
    case KerasTransform::kDepthwiseKernel:
      return keras_tensor.permute(kDepthwiseSwap);
    case KerasTransform::kIdentity:
      break;
  }
  return keras_tensor;
}

void bind_conv(std::vector<KerasBinding>& out, const std::string& layer, const torch::Tensor& weight,
               const torch::Tensor& bias) {
  out.push_back({layer, "kernel:0", weight, KerasTransform::kConvKernel});
  if (bias.defined()) out.push_back({layer, "bias:0", bias, KerasTransform::kIdentity});
}

void bind_conv(std::vector<KerasBinding>& out, const std::string& layer, const torch::nn::Conv2d& conv) {
  bind_conv(out, layer, conv->weight, conv->bias);
}

void bind_depthwise_conv(std::vector<KerasBinding>& out, const std::string& layer, const torch::Tensor& weight) {
  out.push_back({layer, "depthwise_kernel:0", weight, KerasTransform::kDepthwiseKernel});
}

void bind_batch_norm(std::vector<KerasBinding>& out, const std::string& layer, const torch::Tensor& gamma,
                     const torch::Tensor& beta, const torch::Tensor& moving_mean,
                     const torch::Tensor& moving_variance) {
  if (gamma.defined()) out.push_back({layer, "gamma:0", gamma, KerasTransform::kIdentity});
  out.push_back({layer, "beta:0", beta, KerasTransform::kIdentity});
  out.push_back({layer, "moving_mean:0", moving_mean, KerasTransform::kIdentity});
  out.push_back({layer, "moving_variance:0", moving_variance, KerasTransform::kIdentity});
}

void bind_batch_norm(std::vector<KerasBinding>& out, const std::string& layer, const torch::nn::BatchNorm2dImpl& bn) {
  bind_batch_norm(out, layer, bn.weight, bn.bias, bn.running_mean, bn.running_var);
}

void bind_batch_norm(std::vector<KerasBinding>& out, const std::string& layer, const torch::nn::BatchNorm2d& bn) {
  bind_batch_norm(out, layer, *bn);
}

void bind_batch_norm(std::vector<KerasBinding>& out, const std::string& layer, const BatchNorm2d& bn) {
  bind_batch_norm(out, layer, *bn);
}

}  // namespace steel::models
