#include "steel/models/unet_decoder.h"

namespace steel::models {

Conv3x3BnReLUImpl::Conv3x3BnReLUImpl(int64_t in_channels, int64_t out_channels, double bn_eps, double bn_momentum) {
  conv = register_module(
      "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 3).padding(1).bias(false)));
  // sm uses he_uniform for the decoder convs.
  torch::nn::init::kaiming_uniform_(conv->weight, /*a=*/0, torch::kFanIn, torch::kReLU);
  bn = register_module(
      "bn", BatchNorm2d(torch::nn::BatchNorm2dOptions(out_channels).eps(bn_eps).momentum(bn_momentum)));
}

torch::Tensor Conv3x3BnReLUImpl::forward(const torch::Tensor& x) { return torch::relu(bn(conv(x))); }

void Conv3x3BnReLUImpl::append_keras_bindings(std::vector<KerasBinding>& out, const std::string& prefix) const {
  bind_conv(out, prefix + "conv", conv);
  bind_batch_norm(out, prefix + "bn", bn);
}

DecoderBlockImpl::DecoderBlockImpl(int64_t in_channels, int64_t skip_channels, int64_t out_channels, double bn_eps,
                                   double bn_momentum) {
  a = register_module("a", Conv3x3BnReLU(in_channels + skip_channels, out_channels, bn_eps, bn_momentum));
  b = register_module("b", Conv3x3BnReLU(out_channels, out_channels, bn_eps, bn_momentum));
}

torch::Tensor DecoderBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& skip) {
  namespace F = torch::nn::functional;
  torch::Tensor y = F::interpolate(x, F::InterpolateFuncOptions()
                                          .size(std::vector<int64_t>{2 * x.size(2), 2 * x.size(3)})
                                          .mode(torch::kNearest));
  if (skip.defined()) {
    TORCH_CHECK(skip.size(2) == y.size(2) && skip.size(3) == y.size(3), "DecoderBlock: skip ", skip.sizes(),
                " does not match the upsampled map ", y.sizes());
    y = torch::cat({y, skip}, /*dim=*/1);
  }
  return b(a(y));
}

void DecoderBlockImpl::append_keras_bindings(std::vector<KerasBinding>& out, size_t index) const {
  const std::string prefix = "decoder_stage" + std::to_string(index);
  a->append_keras_bindings(out, prefix + "a_");
  b->append_keras_bindings(out, prefix + "b_");
}

UNetDecoderImpl::UNetDecoderImpl(UNetDecoderOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  TORCH_CHECK(!o.filters().empty() && o.filters().size() >= o.skip_channels().size(),
              "UNetDecoder needs at least as many blocks (", o.filters().size(), ") as skips (",
              o.skip_channels().size(), ")");
  int64_t in = o.in_channels();
  for (size_t i = 0; i < o.filters().size(); ++i) {
    const int64_t skip = i < o.skip_channels().size() ? o.skip_channels()[i] : 0;
    blocks_.push_back(register_module("stage" + std::to_string(i),
                                      DecoderBlock(in, skip, o.filters()[i], o.bn_eps(), o.bn_momentum())));
    in = o.filters()[i];
  }
}

torch::Tensor UNetDecoderImpl::forward(const EncoderFeatures& features) {
  TORCH_CHECK(features.skips.size() == options_.skip_channels().size(), "UNetDecoder expects ",
              options_.skip_channels().size(), " skips, got ", features.skips.size());
  torch::Tensor x = features.bottom;
  for (size_t i = 0; i < blocks_.size(); ++i) {
    x = blocks_[i]->forward(x, i < features.skips.size() ? features.skips[i] : torch::Tensor());
  }
  return x;
}

std::vector<KerasBinding> UNetDecoderImpl::keras_bindings() const {
  std::vector<KerasBinding> out;
  for (size_t i = 0; i < blocks_.size(); ++i) blocks_[i]->append_keras_bindings(out, i);
  return out;
}

}  // namespace steel::models
