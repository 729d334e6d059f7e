#include "steel/models/efficientnet_encoder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace steel::models {

namespace {

// EfficientNet-B0's stages (Tan & Le 2019, table 1), as efficientnet 1.0.0's DEFAULT_BLOCKS_ARGS.
struct StageArgs {
  int64_t kernel;
  int64_t repeats;
  int64_t in;
  int64_t out;
  int64_t expand;
  int64_t stride;
};
constexpr std::array<StageArgs, 7> kBaseStages{{
    {3, 1, 32, 16, 1, 1},
    {3, 2, 16, 24, 6, 2},
    {5, 2, 24, 40, 6, 2},
    {3, 3, 40, 80, 6, 2},
    {5, 3, 80, 112, 6, 1},
    {5, 4, 112, 192, 6, 2},
    {3, 1, 192, 320, 6, 1},
}};
constexpr int64_t kStemFilters = 32;
constexpr int64_t kTopFilters = 1280;
constexpr int64_t kDepthDivisor = 8;
// Stages (1-based) whose first block's expand activation is a U-Net skip, deepest first.
constexpr std::array<size_t, 4> kSkipStages{6, 4, 3, 2};

int64_t unscaled_block_count() {
  int64_t n = 0;
  for (const auto& s : kBaseStages) n += s.repeats;
  return n;
}

}  // namespace

int64_t round_filters(int64_t filters, double width_coefficient) {
  const double scaled = static_cast<double>(filters) * width_coefficient;
  int64_t rounded = static_cast<int64_t>(scaled + kDepthDivisor / 2.0) / kDepthDivisor * kDepthDivisor;
  rounded = std::max(kDepthDivisor, rounded);
  if (static_cast<double>(rounded) < 0.9 * scaled) rounded += kDepthDivisor;
  return rounded;
}

int64_t round_repeats(int64_t repeats, double depth_coefficient) {
  return static_cast<int64_t>(std::ceil(depth_coefficient * static_cast<double>(repeats)));
}

EfficientNetEncoderOptions EfficientNetEncoderOptions::variant(int b) {
  // (width, depth) from efficientnet 1.0.0's EfficientNetB0..B7 definitions.
  static constexpr std::array<std::array<double, 2>, 8> kCoefficients{{
      {1.0, 1.0}, {1.0, 1.1}, {1.1, 1.2}, {1.2, 1.4}, {1.4, 1.8}, {1.6, 2.2}, {1.8, 2.6}, {2.0, 3.1}}};
  TORCH_CHECK(b >= 0 && b < static_cast<int>(kCoefficients.size()), "EfficientNet variant must be 0..7, got ", b);
  return EfficientNetEncoderOptions(kCoefficients[b][0], kCoefficients[b][1]);
}

EfficientNetEncoderImpl::EfficientNetEncoderImpl(EfficientNetEncoderOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  const double width = o.width_coefficient();
  const int64_t stem = round_filters(kStemFilters, width);
  stem_conv = register_module("stem_conv", SamePadConv2d(SamePadConv2dOptions(3, stem, 3).stride(2)));
  {
    torch::NoGradGuard no_grad;
    stem_conv->weight.normal_(0.0, std::sqrt(2.0 / static_cast<double>(9 * stem)));
  }
  stem_bn = register_module(
      "stem_bn", BatchNorm2d(torch::nn::BatchNorm2dOptions(stem).eps(o.bn_eps()).momentum(o.bn_momentum())));

  const double total_blocks = static_cast<double>(unscaled_block_count());
  int64_t block_index = 0;
  for (size_t s = 0; s < kBaseStages.size(); ++s) {
    const StageArgs& stage = kBaseStages[s];
    const int64_t in = round_filters(stage.in, width);
    const int64_t out = round_filters(stage.out, width);
    const int64_t repeats = round_repeats(stage.repeats, o.depth_coefficient());
    for (int64_t r = 0; r < repeats; ++r) {
      if (r == 0 && std::find(kSkipStages.begin(), kSkipStages.end(), s + 1) != kSkipStages.end()) {
        // Remember where the skip comes from; reordered deepest-first below.
        skip_blocks_.push_back(blocks_.size());
      }
      auto block_options = MBConvBlockOptions(r == 0 ? in : out, out, stage.kernel)
                               .stride(r == 0 ? stage.stride : 1)
                               .expand_ratio(stage.expand)
                               .drop_rate(o.drop_connect_rate() * static_cast<double>(block_index) / total_blocks)
                               .bn_eps(o.bn_eps())
                               .bn_momentum(o.bn_momentum());
      const std::string name = "block" + std::to_string(s + 1) + static_cast<char>('a' + r);
      blocks_.push_back(register_module(name, MBConvBlock(block_options)));
      block_names_.push_back(name + "_");
      ++block_index;
    }
  }
  std::reverse(skip_blocks_.begin(), skip_blocks_.end());

  const int64_t last = round_filters(kBaseStages.back().out, width);
  const int64_t top = round_filters(kTopFilters, width);
  top_conv = register_module("top_conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(last, top, 1).bias(false)));
  {
    torch::NoGradGuard no_grad;
    top_conv->weight.normal_(0.0, std::sqrt(2.0 / static_cast<double>(top)));
  }
  top_bn = register_module(
      "top_bn", BatchNorm2d(torch::nn::BatchNorm2dOptions(top).eps(o.bn_eps()).momentum(o.bn_momentum())));
}

EncoderFeatures EfficientNetEncoderImpl::forward(const torch::Tensor& images) {
  EncoderFeatures features;
  features.skips.resize(skip_blocks_.size());
  torch::Tensor x = torch::silu(stem_bn(stem_conv(images)));
  for (size_t i = 0; i < blocks_.size(); ++i) {
    const auto skip = std::find(skip_blocks_.begin(), skip_blocks_.end(), i);
    if (skip != skip_blocks_.end()) {
      x = blocks_[i]->forward(x, &features.skips[static_cast<size_t>(skip - skip_blocks_.begin())]);
    } else {
      x = blocks_[i]->forward(x);
    }
  }
  features.bottom = torch::silu(top_bn(top_conv(x)));
  return features;
}

int64_t EfficientNetEncoderImpl::out_channels() const { return top_conv->options.out_channels(); }

std::vector<int64_t> EfficientNetEncoderImpl::skip_channels() const {
  std::vector<int64_t> channels;
  for (size_t i : skip_blocks_) {
    const auto& bo = blocks_[i]->options();
    channels.push_back(bo.in_channels() * bo.expand_ratio());
  }
  return channels;
}

std::vector<KerasBinding> EfficientNetEncoderImpl::keras_bindings() const {
  std::vector<KerasBinding> out;
  bind_conv(out, "stem_conv", stem_conv->weight, stem_conv->bias);
  bind_batch_norm(out, "stem_bn", stem_bn);
  for (size_t i = 0; i < blocks_.size(); ++i) blocks_[i]->append_keras_bindings(out, block_names_[i]);
  bind_conv(out, "top_conv", top_conv);
  bind_batch_norm(out, "top_bn", top_bn);
  return out;
}

}  // namespace steel::models
