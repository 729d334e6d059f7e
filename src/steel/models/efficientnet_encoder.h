// The EfficientNet-B0..B7 encoder of segmentation_models 1.0.1 (qubvel/efficientnet 1.0.0), layer for layer.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "steel/models/batch_norm.h"
#include "steel/models/encoder.h"
#include "steel/models/mbconv_block.h"
#include "steel/models/same_pad_conv.h"

namespace steel::models {

/// Options for `EfficientNetEncoder`. Use `variant(3)` for EfficientNet-B3.
struct EfficientNetEncoderOptions {
  EfficientNetEncoderOptions(double width_coefficient, double depth_coefficient)
      : width_coefficient_(width_coefficient), depth_coefficient_(depth_coefficient) {}
  /// Multiplies every layer width before rounding to a multiple of 8 (`round_filters`).
  TORCH_ARG(double, width_coefficient);
  /// Multiplies every stage's block count, rounded up (`round_repeats`).
  TORCH_ARG(double, depth_coefficient);
  /// Drop-connect rate of block i is drop_connect_rate * i / 16, where 16 is the *unscaled* number of
  /// blocks (efficientnet 1.0.0 behaviour; later releases divide by the scaled count). B7 reaches 0.675.
  TORCH_ARG(double, drop_connect_rate) = 0.2;
  TORCH_ARG(double, bn_eps) = 1e-3;
  /// PyTorch convention: Keras momentum 0.99 is 0.01 here.
  TORCH_ARG(double, bn_momentum) = 0.01;

 public:
  /// EfficientNet-B0 ... B7 (0..7); throws c10::Error otherwise.
  static EfficientNetEncoderOptions variant(int b);
};

/// efficientnet `round_filters`: filters * width rounded to a multiple of 8, at least 8, never below 90% of it.
int64_t round_filters(int64_t filters, double width_coefficient);
/// efficientnet `round_repeats`: ceil(depth * repeats).
int64_t round_repeats(int64_t repeats, double depth_coefficient);

/// stem_conv 3x3/2 ('same') -> stem_bn -> swish -> 7 stages of MBConv blocks -> top_conv 1x1 -> top_bn ->
/// swish [bottom]. Skips 1/16, 1/8, 1/4, 1/2 are `block6a_expand_activation`, `block4a_...`, `block3a_...`,
/// `block2a_...`: the expand activation of each stage's first block, before its strided depthwise conv.
/// Blocks are registered as `block1a`, `block2a`, `block2b`, ... so names match the Keras model.
class EfficientNetEncoderImpl : public EncoderImpl {
 public:
  explicit EfficientNetEncoderImpl(EfficientNetEncoderOptions options);

  EncoderFeatures forward(const torch::Tensor& images) override;
  int64_t out_channels() const override;
  std::vector<int64_t> skip_channels() const override;
  std::vector<KerasBinding> keras_bindings() const override;

  const EfficientNetEncoderOptions& options() const { return options_; }
  /// The MBConv blocks in forward order (block1a, block2a, block2b, ...).
  const std::vector<MBConvBlock>& blocks() const { return blocks_; }

 private:
  EfficientNetEncoderOptions options_;
  SamePadConv2d stem_conv{nullptr};
  BatchNorm2d stem_bn{nullptr};
  std::vector<MBConvBlock> blocks_;
  std::vector<std::string> block_names_;  // Keras prefixes, parallel to blocks_
  std::vector<size_t> skip_blocks_;       // indices into blocks_ of the skip sources, deepest first
  torch::nn::Conv2d top_conv{nullptr};
  BatchNorm2d top_bn{nullptr};
};
TORCH_MODULE(EfficientNetEncoder);

}  // namespace steel::models
