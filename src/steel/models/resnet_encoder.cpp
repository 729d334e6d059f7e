#include "steel/models/resnet_encoder.h"

#include <string>

namespace steel::models {

namespace {

constexpr int64_t kStemChannels = 64;
constexpr int kStages = 4;

std::string unit_name(size_t stage, size_t unit) {
  return "stage" + std::to_string(stage + 1) + "_unit" + std::to_string(unit + 1);
}

}  // namespace

ResNetEncoderOptions ResNetEncoderOptions::for_depth(int depth) {
  switch (depth) {
    case 18: return ResNetEncoderOptions({2, 2, 2, 2}, /*bottleneck=*/false);
    case 34: return ResNetEncoderOptions({3, 4, 6, 3}, /*bottleneck=*/false);
    case 50: return ResNetEncoderOptions({3, 4, 6, 3}, /*bottleneck=*/true);
    case 101: return ResNetEncoderOptions({3, 4, 23, 3}, /*bottleneck=*/true);
    case 152: return ResNetEncoderOptions({3, 8, 36, 3}, /*bottleneck=*/true);
    default: break;
  }
  TORCH_CHECK(false, "ResNet depth must be one of 18, 34, 50, 101, 152, got ", depth);
}

ResNetEncoderImpl::ResNetEncoderImpl(ResNetEncoderOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  TORCH_CHECK(o.repetitions().size() == kStages, "ResNetEncoder needs 4 stage repetitions, got ",
              o.repetitions().size());
  bn_data = register_module(
      "bn_data", BatchNormNoScale2d(BatchNormNoScale2dOptions(3).eps(o.bn_eps()).momentum(o.bn_momentum())));
  conv0 = register_module("conv0", make_resnet_conv(3, kStemChannels, 7, 2, 3));
  bn0 = register_module("bn0", make_batch_norm(kStemChannels, o.bn_eps(), o.bn_momentum()));
  // Keras pads with zeros after relu0, which equals PyTorch's -inf max-pool padding on non-negative input.
  pooling0 = register_module("pooling0", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));

  int64_t channels = kStemChannels;
  stages_.resize(kStages);
  for (size_t s = 0; s < kStages; ++s) {
    const int64_t filters = kStemChannels << s;
    TORCH_CHECK(o.repetitions()[s] > 0, "ResNetEncoder: every stage needs at least one unit");
    for (int64_t u = 0; u < o.repetitions()[s]; ++u) {
      // Unit 1 of each stage projects (cut='post'); stage 1 keeps the resolution because the max-pool halved it.
      auto unit_options = ResidualUnitOptions(channels, filters)
                              .stride(u == 0 && s > 0 ? 2 : 1)
                              .projection(u == 0)
                              .bn_eps(o.bn_eps())
                              .bn_momentum(o.bn_momentum());
      std::shared_ptr<ResidualUnitImpl> unit;
      if (o.bottleneck()) {
        unit = std::make_shared<BottleneckUnitImpl>(unit_options);
      } else {
        unit = std::make_shared<BasicUnitImpl>(unit_options);
      }
      stages_[s].push_back(register_module(unit_name(s, static_cast<size_t>(u)), unit));
      channels = unit->out_channels();
    }
  }
  bn1 = register_module("bn1", make_batch_norm(channels, o.bn_eps(), o.bn_momentum()));
}

EncoderFeatures ResNetEncoderImpl::forward(const torch::Tensor& images) {
  EncoderFeatures features;
  torch::Tensor x = conv0(bn_data(images));
  x = torch::relu(bn0(x));
  const torch::Tensor relu0 = x;
  x = pooling0(x);
  std::vector<torch::Tensor> stage_preactivations;  // stageK_unit1_relu1 for K = 2, 3, 4
  for (size_t s = 0; s < stages_.size(); ++s) {
    for (size_t u = 0; u < stages_[s].size(); ++u) {
      if (u == 0 && s > 0) {
        torch::Tensor preactivation;
        x = stages_[s][u]->forward(x, &preactivation);
        stage_preactivations.push_back(preactivation);
      } else {
        x = stages_[s][u]->forward(x);
      }
    }
  }
  features.bottom = torch::relu(bn1(x));
  features.skips.assign(stage_preactivations.rbegin(), stage_preactivations.rend());
  features.skips.push_back(relu0);
  return features;
}

int64_t ResNetEncoderImpl::out_channels() const { return stages_.back().back()->out_channels(); }

std::vector<int64_t> ResNetEncoderImpl::skip_channels() const {
  // Stage K's unit-1 pre-activation carries stage K-1's output channels.
  return {stages_[2].back()->out_channels(), stages_[1].back()->out_channels(), stages_[0].back()->out_channels(),
          kStemChannels};
}

std::vector<KerasBinding> ResNetEncoderImpl::keras_bindings() const {
  std::vector<KerasBinding> out;
  bind_batch_norm(out, "bn_data", /*gamma=*/torch::Tensor(), bn_data->bias, bn_data->running_mean,
                  bn_data->running_var);
  bind_conv(out, "conv0", conv0);
  bind_batch_norm(out, "bn0", bn0);
  for (size_t s = 0; s < stages_.size(); ++s) {
    for (size_t u = 0; u < stages_[s].size(); ++u) stages_[s][u]->append_keras_bindings(out, unit_name(s, u) + "_");
  }
  bind_batch_norm(out, "bn1", bn1);
  return out;
}

}  // namespace steel::models
