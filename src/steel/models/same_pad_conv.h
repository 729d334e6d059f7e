// A Conv2d with TensorFlow 'same' padding, which for stride 2 puts the extra row and column at the bottom/right.
#pragma once

#include <cstdint>

#include <torch/torch.h>

namespace steel::models {

/// Zero padding added before (top/left) and after (bottom/right) one spatial axis.
struct SamePadding {
  int64_t before = 0;
  int64_t after = 0;
};

/// TensorFlow's 'same' rule for one axis (dilation 1): out = ceil(in / stride),
/// total = max((out - 1) * stride + kernel - in, 0), before = total / 2, after = total - before.
/// Example: in 64, kernel 3, stride 2 -> {0, 1}; kernel 5 -> {1, 2}. PyTorch's padding=k/2 is {1, 1} / {2, 2}.
SamePadding tf_same_padding(int64_t in, int64_t kernel, int64_t stride);

/// Options for `SamePadConv2d`. Example (a depthwise 5x5/2 conv over 96 channels):
///   SamePadConv2d(SamePadConv2dOptions(96, 96, 5).stride(2).groups(96))
struct SamePadConv2dOptions {
  SamePadConv2dOptions(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  /// Square kernel side.
  TORCH_ARG(int64_t, kernel_size);
  TORCH_ARG(int64_t, stride) = 1;
  /// in_channels for a depthwise conv.
  TORCH_ARG(int64_t, groups) = 1;
  TORCH_ARG(bool, bias) = false;
};

/// Conv2d whose padding is computed per input size with `tf_same_padding`, so that its outputs (and
/// ported Keras weights) match TensorFlow for stride-2 layers, where PyTorch's symmetric padding shifts
/// the sampling grid by one pixel.
class SamePadConv2dImpl : public torch::nn::Module {
 public:
  explicit SamePadConv2dImpl(SamePadConv2dOptions options);

  /// x [N,in,H,W] -> [N,out,ceil(H/stride),ceil(W/stride)]
  torch::Tensor forward(const torch::Tensor& x);

  const SamePadConv2dOptions& options() const { return options_; }

  /// (out, in/groups, k, k), as torch::nn::Conv2d.
  torch::Tensor weight;
  /// (out), undefined when options.bias() is false.
  torch::Tensor bias;

 private:
  SamePadConv2dOptions options_;
};
TORCH_MODULE(SamePadConv2d);

}  // namespace steel::models
