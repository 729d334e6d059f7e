// The U-Net decoder of segmentation_models 1.0.1: five upsampling blocks from the bottleneck back to full resolution.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "steel/models/batch_norm.h"
#include "steel/models/encoder.h"
#include "steel/models/keras_layout.h"

namespace steel::models {

/// Options for `UNetDecoder`. Example (ResNet-34 encoder):
///   UNetDecoder(UNetDecoderOptions(/*in_channels=*/512, /*skip_channels=*/{256, 128, 64, 64}))
struct UNetDecoderOptions {
  UNetDecoderOptions(int64_t in_channels, std::vector<int64_t> skip_channels)
      : in_channels_(in_channels), skip_channels_(std::move(skip_channels)) {}
  /// Channels of the encoder's deepest feature map.
  TORCH_ARG(int64_t, in_channels);
  /// Channels of the encoder skips, deepest first; block i concatenates skip i when there is one.
  TORCH_ARG(std::vector<int64_t>, skip_channels);
  /// Output channels of each upsampling block; one block per entry, each doubling the resolution.
  TORCH_ARG(std::vector<int64_t>, filters) = std::vector<int64_t>{256, 128, 64, 32, 16};
  /// Keras BatchNormalization defaults.
  TORCH_ARG(double, bn_eps) = 1e-3;
  TORCH_ARG(double, bn_momentum) = 0.01;
};

/// sm's `Conv3x3BnReLU`: 3x3 conv (padding 1, no bias since BN follows) -> BatchNorm -> ReLU.
class Conv3x3BnReLUImpl : public torch::nn::Module {
 public:
  Conv3x3BnReLUImpl(int64_t in_channels, int64_t out_channels, double bn_eps, double bn_momentum);
  torch::Tensor forward(const torch::Tensor& x);
  /// Binds `<prefix>conv` and `<prefix>bn` (prefix e.g. "decoder_stage0a_").
  void append_keras_bindings(std::vector<KerasBinding>& out, const std::string& prefix) const;

  torch::nn::Conv2d conv{nullptr};
  BatchNorm2d bn{nullptr};
};
TORCH_MODULE(Conv3x3BnReLU);

/// sm's `DecoderUpsamplingX2Block`: nearest x2 upsampling -> concat [upsampled, skip] (in that order) ->
/// Conv3x3BnReLU `a` -> Conv3x3BnReLU `b`.
class DecoderBlockImpl : public torch::nn::Module {
 public:
  DecoderBlockImpl(int64_t in_channels, int64_t skip_channels, int64_t out_channels, double bn_eps,
                   double bn_momentum);
  /// skip is undefined for a block without a skip (the last one).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& skip);
  /// Binds `decoder_stage{index}a_conv`, `..._bn`, `decoder_stage{index}b_conv`, `..._bn`.
  void append_keras_bindings(std::vector<KerasBinding>& out, size_t index) const;

  Conv3x3BnReLU a{nullptr};
  Conv3x3BnReLU b{nullptr};
};
TORCH_MODULE(DecoderBlock);

/// Turns encoder features into a [N, filters.back(), H, W] map at input resolution. There is no centre
/// block: sm adds one only for VGG backbones.
class UNetDecoderImpl : public torch::nn::Module, public KerasMappable {
 public:
  explicit UNetDecoderImpl(UNetDecoderOptions options);

  torch::Tensor forward(const EncoderFeatures& features);
  int64_t out_channels() const { return options_.filters().back(); }
  std::vector<KerasBinding> keras_bindings() const override;
  const UNetDecoderOptions& options() const { return options_; }

 private:
  UNetDecoderOptions options_;
  std::vector<DecoderBlock> blocks_;  // registered as stage0 .. stage4
};
TORCH_MODULE(UNetDecoder);

}  // namespace steel::models
