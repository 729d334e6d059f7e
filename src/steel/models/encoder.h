// The interface every U-Net encoder implements: images in; the deepest feature map and the skips out.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "steel/models/keras_layout.h"

namespace steel::models {

/// What an encoder hands to the decoder.
struct EncoderFeatures {
  /// The deepest feature map, at 1/32 of the input resolution: the decoder's input.
  torch::Tensor bottom;
  /// Skip connections, deepest first: 1/16, 1/8, 1/4 and 1/2 of the input resolution.
  std::vector<torch::Tensor> skips;
};

/// Base class of the backbones (ResNet, EfficientNet). Implementations register their layers under
/// their Keras names so that `keras_bindings()` and error messages read like the Keras model summary.
class EncoderImpl : public torch::nn::Module, public KerasMappable {
 public:
  /// images [N,3,H,W], H and W divisible by 32 (UNet checks this) -> features.
  virtual EncoderFeatures forward(const torch::Tensor& images) = 0;
  /// Channels of `EncoderFeatures::bottom`.
  virtual int64_t out_channels() const = 0;
  /// Channels of each skip, deepest first; the same length as `EncoderFeatures::skips`.
  virtual std::vector<int64_t> skip_channels() const = 0;

  /// The affine parameters of the encoder's normalisation layers (BatchNorm gamma/beta, bn_data's beta):
  /// the encoder parameters that stay trainable in EncoderMode::kThesis.
  std::vector<torch::Tensor> normalization_parameters() const;
};

/// True for the normalisation layers whose parameters Keras' `freeze_model` leaves trainable.
bool is_normalization_layer(const torch::nn::Module& module);

}  // namespace steel::models
