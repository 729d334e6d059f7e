// The U-Net segmentation model: an encoder backbone, the sm decoder and a 3x3 head, producing one logit map per class.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "steel/models/encoder.h"
#include "steel/models/encoder_mode.h"
#include "steel/models/keras_layout.h"
#include "steel/models/unet_decoder.h"

namespace steel::models {

/// Options for `UNet` (and `make_unet`). Example:
///   UNet net = make_unet("efficientnet-b0", UNetOptions().encoder_mode(EncoderMode::kFrozen));
struct UNetOptions {
  /// Output channels: one logit map per defect class.
  TORCH_ARG(int64_t, num_classes) = 4;
  /// Decoder block widths, deepest first (sm's decoder_filters).
  TORCH_ARG(std::vector<int64_t>, decoder_filters) = std::vector<int64_t>{256, 128, 64, 32, 16};
  /// Which encoder weights train; can be changed later with UNetImpl::set_encoder_mode.
  TORCH_ARG(EncoderMode, encoder_mode) = EncoderMode::kThesis;
  /// EfficientNet encoders only: the maximum drop-connect rate (see EfficientNetEncoderOptions).
  TORCH_ARG(double, drop_connect_rate) = 0.2;
};

/// images [N,3,H,W] float in [0,1] -> logits [N,num_classes,H,W]. H and W must be divisible by 32.
/// The encoder does its own input normalisation (ResNet: bn_data; EfficientNet: BN after the stem), as
/// in the thesis, so images are passed unnormalised.
class UNetImpl : public torch::nn::Module, public KerasMappable {
 public:
  UNetImpl(std::shared_ptr<EncoderImpl> encoder, UNetOptions options = {});

  /// Logits (no sigmoid); pair with a BCE-with-logits loss.
  torch::Tensor forward(const torch::Tensor& images);
  /// Per-class defect probabilities, sigmoid(forward(images)), computed without autograd. Call eval() first
  /// for inference with running BN statistics.
  torch::Tensor predict(const torch::Tensor& images);
  /// The encoder alone; in kFrozen mode it runs under NoGradGuard, so its outputs carry no graph.
  EncoderFeatures encode(const torch::Tensor& images);

  /// Switches requires_grad and the encoder's train/eval state to `mode`.
  void set_encoder_mode(EncoderMode mode);
  EncoderMode encoder_mode() const { return options_.encoder_mode(); }
  /// Like Module::train, but a kFrozen encoder stays in eval mode.
  void train(bool on = true) override;
  /// The parameters that require grad, i.e. what an optimiser should receive.
  std::vector<torch::Tensor> trainable_parameters() const;

  std::vector<KerasBinding> keras_bindings() const override;

  EncoderImpl& encoder() { return *encoder_; }
  const EncoderImpl& encoder() const { return *encoder_; }
  UNetDecoderImpl& decoder() { return *decoder_; }
  const UNetDecoderImpl& decoder() const { return *decoder_; }
  const UNetOptions& options() const { return options_; }

 private:
  UNetOptions options_;
  std::shared_ptr<EncoderImpl> encoder_;
  UNetDecoder decoder_{nullptr};
  torch::nn::Conv2d final_conv_{nullptr};
};
TORCH_MODULE(UNet);

}  // namespace steel::models
