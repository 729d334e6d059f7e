// How a module's torch tensors map onto the Keras HDF5 weight layout: layer name, dataset name, axis order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "steel/models/batch_norm.h"

namespace steel::models {

/// How a tensor's axes differ between Keras (channels-last kernels) and torch.
enum class KerasTransform {
  kIdentity,         ///< same shape and order: biases, BatchNorm vectors
  kConvKernel,       ///< Conv2D kernel: Keras (kh,kw,in,out) <-> torch (out,in,kh,kw)
  kDepthwiseKernel,  ///< DepthwiseConv2D kernel: Keras (kh,kw,C,1) <-> torch (C,1,kh,kw)
};

/// One torch parameter or buffer and the Keras dataset that holds it, e.g.
/// {"stage1_unit1_conv1", "kernel:0", <weight>, kConvKernel}. `tensor` shares storage with the
/// module, so loading into it loads into the module.
struct KerasBinding {
  std::string layer;
  std::string dataset;
  torch::Tensor tensor;
  KerasTransform transform = KerasTransform::kIdentity;
};

/// Implemented by every module that can be loaded from or saved to a Keras weight file.
class KerasMappable {
 public:
  virtual ~KerasMappable() = default;
  /// Every parameter and BN moving statistic of the module, each exactly once, in Keras layer order.
  virtual std::vector<KerasBinding> keras_bindings() const = 0;
};

/// The shape the binding's dataset has in a Keras file.
std::vector<int64_t> keras_shape(const KerasBinding& binding);

/// The binding's tensor as a contiguous float32 CPU tensor in Keras axis order.
torch::Tensor to_keras_layout(const KerasBinding& binding);

/// Turns a tensor read from a Keras file (Keras axis order) into torch axis order.
torch::Tensor from_keras_layout(KerasTransform transform, const torch::Tensor& keras_tensor);

/// Conv2D: `kernel:0`, plus `bias:0` when the conv has a bias.
void bind_conv(std::vector<KerasBinding>& out, const std::string& layer, const torch::Tensor& weight,
               const torch::Tensor& bias);
void bind_conv(std::vector<KerasBinding>& out, const std::string& layer, const torch::nn::Conv2d& conv);

/// DepthwiseConv2D without bias: `depthwise_kernel:0`.
void bind_depthwise_conv(std::vector<KerasBinding>& out, const std::string& layer, const torch::Tensor& weight);

/// BatchNormalization: `gamma:0` (skipped when `gamma` is undefined, Keras scale=False), `beta:0`,
/// `moving_mean:0`, `moving_variance:0`.
void bind_batch_norm(std::vector<KerasBinding>& out, const std::string& layer, const torch::Tensor& gamma,
                     const torch::Tensor& beta, const torch::Tensor& moving_mean,
                     const torch::Tensor& moving_variance);
void bind_batch_norm(std::vector<KerasBinding>& out, const std::string& layer, const torch::nn::BatchNorm2dImpl& bn);
void bind_batch_norm(std::vector<KerasBinding>& out, const std::string& layer, const torch::nn::BatchNorm2d& bn);
void bind_batch_norm(std::vector<KerasBinding>& out, const std::string& layer, const BatchNorm2d& bn);

}  // namespace steel::models
