#include "steel/models/unet.h"

namespace steel::models {

namespace {

// The encoder halves the resolution five times and the decoder doubles it back.
constexpr int64_t kTotalStride = 32;

}  // namespace

UNetImpl::UNetImpl(std::shared_ptr<EncoderImpl> encoder, UNetOptions options)
    : options_(std::move(options)), encoder_(std::move(encoder)) {
  TORCH_CHECK(encoder_ != nullptr, "UNet: encoder must not be null");
  TORCH_CHECK(options_.num_classes() > 0, "UNet: num_classes must be positive, got ", options_.num_classes());
  register_module("encoder", encoder_);
  decoder_ = register_module(
      "decoder", UNetDecoder(UNetDecoderOptions(encoder_->out_channels(), encoder_->skip_channels())
                                 .filters(options_.decoder_filters())));
  final_conv_ = register_module(
      "final_conv",
      torch::nn::Conv2d(torch::nn::Conv2dOptions(decoder_->out_channels(), options_.num_classes(), 3).padding(1)));
  // sm's head: glorot_uniform kernel, zero bias.
  torch::nn::init::xavier_uniform_(final_conv_->weight);
  torch::nn::init::zeros_(final_conv_->bias);
  set_encoder_mode(options_.encoder_mode());
}

EncoderFeatures UNetImpl::encode(const torch::Tensor& images) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3, "UNet expects images [N,3,H,W], got ", images.sizes());
  TORCH_CHECK(images.is_floating_point(), "UNet expects floating-point images in [0,1], got ", images.dtype());
  TORCH_CHECK(images.size(2) % kTotalStride == 0 && images.size(3) % kTotalStride == 0,
              "UNet needs H and W divisible by 32 (the encoder downsamples five times), got ", images.size(2), "x",
              images.size(3), "; crop or pad the images, e.g. 256x1600 -> 128x800 crops are fine");
  if (options_.encoder_mode() == EncoderMode::kFrozen) {
    // Nothing upstream of the decoder needs gradients, so skip recording the encoder's graph entirely.
    torch::NoGradGuard no_grad;
    return encoder_->forward(images);
  }
  return encoder_->forward(images);
}

torch::Tensor UNetImpl::forward(const torch::Tensor& images) { return final_conv_(decoder_(encode(images))); }

torch::Tensor UNetImpl::predict(const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  return torch::sigmoid(forward(images));
}

void UNetImpl::set_encoder_mode(EncoderMode mode) {
  options_.encoder_mode(mode);
  apply_encoder_mode(*encoder_, mode);
  train(is_training());
}

void UNetImpl::train(bool on) {
  torch::nn::Module::train(on);
  if (options_.encoder_mode() == EncoderMode::kFrozen) encoder_->eval();
}

std::vector<torch::Tensor> UNetImpl::trainable_parameters() const {
  std::vector<torch::Tensor> out;
  for (const auto& p : parameters()) {
    if (p.requires_grad()) out.push_back(p);
  }
  return out;
}

std::vector<KerasBinding> UNetImpl::keras_bindings() const {
  std::vector<KerasBinding> out = encoder_->keras_bindings();
  for (auto& binding : decoder_->keras_bindings()) out.push_back(std::move(binding));
  bind_conv(out, "final_conv", final_conv_);
  return out;
}

}  // namespace steel::models
