// The pre-activation ResNet encoder of segmentation_models 1.0.1 (classification_models 1.0.0), layer for layer.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "steel/models/batch_norm.h"
#include "steel/models/batch_norm_no_scale.h"
#include "steel/models/encoder.h"
#include "steel/models/resnet_units.h"

namespace steel::models {

/// Options for `ResNetEncoder`. Use `for_depth(34)` for the published variants.
struct ResNetEncoderOptions {
  ResNetEncoderOptions(std::vector<int64_t> repetitions, bool bottleneck)
      : repetitions_(std::move(repetitions)), bottleneck_(bottleneck) {}
  /// Units per stage, e.g. {3, 4, 6, 3}; always four stages.
  TORCH_ARG(std::vector<int64_t>, repetitions);
  /// Bottleneck units (ResNet-50 and deeper) instead of basic units.
  TORCH_ARG(bool, bottleneck);
  TORCH_ARG(double, bn_eps) = 2e-5;
  /// PyTorch convention: Keras momentum 0.99 is 0.01 here.
  TORCH_ARG(double, bn_momentum) = 0.01;

 public:
  /// ResNet-18, 34, 50, 101 or 152; throws c10::Error for any other depth.
  static ResNetEncoderOptions for_depth(int depth);
};

/// bn_data -> conv0 7x7/2 -> bn0 -> relu0 [skip 1/2] -> maxpool 3x3/2 -> stages 1..4 -> bn1 -> relu1 [bottom].
/// Skips 1/16, 1/8, 1/4 are `stage4_unit1_relu1`, `stage3_unit1_relu1`, `stage2_unit1_relu1`: the
/// pre-activation of each stage's first unit, i.e. the normalised output of the stage before it.
/// `bn_data` normalises the raw [0,1] input (there is no separate preprocessing), which is why it has a beta
/// but no gamma. Layers are registered as `conv0`, `stage1_unit1`, ... so names match the Keras model.
class ResNetEncoderImpl : public EncoderImpl {
 public:
  explicit ResNetEncoderImpl(ResNetEncoderOptions options);

  EncoderFeatures forward(const torch::Tensor& images) override;
  int64_t out_channels() const override;
  std::vector<int64_t> skip_channels() const override;
  std::vector<KerasBinding> keras_bindings() const override;

  const ResNetEncoderOptions& options() const { return options_; }

 private:
  ResNetEncoderOptions options_;
  BatchNormNoScale2d bn_data{nullptr};
  torch::nn::Conv2d conv0{nullptr};
  BatchNorm2d bn0{nullptr};
  torch::nn::MaxPool2d pooling0{nullptr};
  /// stages_[s][u] is Keras `stage{s+1}_unit{u+1}`.
  std::vector<std::vector<std::shared_ptr<ResidualUnitImpl>>> stages_;
  BatchNorm2d bn1{nullptr};
};
TORCH_MODULE(ResNetEncoder);

}  // namespace steel::models
