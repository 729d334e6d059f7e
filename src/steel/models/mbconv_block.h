// EfficientNet's mobile inverted bottleneck (MBConv) block with squeeze-and-excitation (qubvel/efficientnet 1.0.0).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "steel/models/batch_norm.h"
#include "steel/models/keras_layout.h"
#include "steel/models/same_pad_conv.h"

namespace steel::models {

/// Options for `MBConvBlock`. Example (EfficientNet-B0 block2a):
///   MBConvBlock(MBConvBlockOptions(/*in=*/16, /*out=*/24, /*kernel=*/3).stride(2).expand_ratio(6))
struct MBConvBlockOptions {
  MBConvBlockOptions(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  /// Depthwise kernel side (3 or 5).
  TORCH_ARG(int64_t, kernel_size);
  TORCH_ARG(int64_t, stride) = 1;
  /// Expanded width = in_channels * expand_ratio; 1 means no expand conv (stage 1).
  TORCH_ARG(int64_t, expand_ratio) = 1;
  /// The SE bottleneck is max(1, int(in_channels * se_ratio)) wide: computed from the block's *input*
  /// width, not the expanded width (b0 block2a: 96 expanded channels squeeze to 4).
  TORCH_ARG(double, se_ratio) = 0.25;
  /// Drop-connect probability on the residual branch in training mode; ignored for blocks without a residual.
  TORCH_ARG(double, drop_rate) = 0.0;
  TORCH_ARG(double, bn_eps) = 1e-3;
  /// PyTorch convention: Keras momentum 0.99 is 0.01 here.
  TORCH_ARG(double, bn_momentum) = 0.01;
};

/// [expand_conv 1x1 -> expand_bn -> swish] -> dwconv kxk/s ('same') -> bn -> swish ->
/// SE(se_reduce -> swish -> se_expand -> sigmoid, multiply) -> project_conv 1x1 -> project_bn ->
/// [drop-connect -> + input] when stride is 1 and in == out.
class MBConvBlockImpl : public torch::nn::Module {
 public:
  explicit MBConvBlockImpl(MBConvBlockOptions options);

  /// x [N,in,H,W] -> [N,out,ceil(H/s),ceil(W/s)]. When `expand_activation` is not null it receives the
  /// swish output of the expand conv (Keras `..._expand_activation`, the U-Net skip); the block must expand.
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor* expand_activation = nullptr);

  /// True when the block adds its input back (and so applies drop-connect).
  bool has_residual() const;
  /// Appends this block's layers under Keras names `<prefix>expand_conv`, ... (prefix e.g. "block2a_").
  void append_keras_bindings(std::vector<KerasBinding>& out, const std::string& prefix) const;
  const MBConvBlockOptions& options() const { return options_; }

 private:
  MBConvBlockOptions options_;
  torch::nn::Conv2d expand_conv{nullptr};  // null when expand_ratio == 1
  BatchNorm2d expand_bn{nullptr};
  SamePadConv2d dwconv{nullptr};
  BatchNorm2d bn{nullptr};
  torch::nn::Conv2d se_reduce{nullptr};
  torch::nn::Conv2d se_expand{nullptr};
  torch::nn::Conv2d project_conv{nullptr};
  BatchNorm2d project_bn{nullptr};
};
TORCH_MODULE(MBConvBlock);

/// Drop-connect (stochastic depth) as Keras `FixedDropout(rate, noise_shape=(N,1,1,1))`: in training, each
/// sample's branch is zeroed with probability `rate` and survivors are scaled by 1/(1-rate).
torch::Tensor drop_connect(const torch::Tensor& x, double rate, bool training);

}  // namespace steel::models
