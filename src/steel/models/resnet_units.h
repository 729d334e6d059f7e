// The residual units of the pre-activation ResNet in classification_models 1.0.0 (Keras): basic and bottleneck.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "steel/models/batch_norm.h"
#include "steel/models/keras_layout.h"

namespace steel::models {

/// Options shared by `BasicUnit` and `BottleneckUnit`. Example (stage 2, unit 1 of ResNet-34):
///   BasicUnit(ResidualUnitOptions(/*in_channels=*/64, /*filters=*/128).stride(2).projection(true))
struct ResidualUnitOptions {
  ResidualUnitOptions(int64_t in_channels, int64_t filters) : in_channels_(in_channels), filters_(filters) {}
  TORCH_ARG(int64_t, in_channels);
  /// Width of the 3x3 convolutions; a bottleneck unit outputs 4 * filters.
  TORCH_ARG(int64_t, filters);
  TORCH_ARG(int64_t, stride) = 1;
  /// Keras cut='post': a 1x1 `sc` conv on the activated input replaces the identity shortcut. Used by the
  /// first unit of every stage, including stage 1 of ResNet-18/34 where it maps 64 -> 64 (unlike torchvision).
  TORCH_ARG(bool, projection) = false;
  TORCH_ARG(double, bn_eps) = 2e-5;
  /// PyTorch convention: Keras momentum 0.99 is 0.01 here.
  TORCH_ARG(double, bn_momentum) = 0.01;
};

/// A pre-activation residual unit (He et al. 2016, "Identity Mappings in Deep Residual Networks"). Each
/// starts with bn1 -> relu1 on its input; the first unit of stage K exposes that activation because the
/// U-Net takes its skip from `stageK_unit1_relu1`.
class ResidualUnitImpl : public torch::nn::Module {
 public:
  /// x: the unit's raw input. When `preactivation` is not null it receives relu(bn1(x)).
  virtual torch::Tensor forward(const torch::Tensor& x, torch::Tensor* preactivation = nullptr) = 0;
  virtual int64_t out_channels() const = 0;
  /// Appends this unit's layers under Keras names `<prefix>bn1`, `<prefix>conv1`, ... (prefix e.g. "stage1_unit1_").
  virtual void append_keras_bindings(std::vector<KerasBinding>& out, const std::string& prefix) const = 0;
};

/// bn1-relu1 -> [sc 1x1/s] -> conv1 3x3/s -> bn2-relu2 -> conv2 3x3 -> add. No BN after the add.
class BasicUnitImpl : public ResidualUnitImpl {
 public:
  explicit BasicUnitImpl(ResidualUnitOptions options);
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor* preactivation = nullptr) override;
  int64_t out_channels() const override { return options_.filters(); }
  void append_keras_bindings(std::vector<KerasBinding>& out, const std::string& prefix) const override;

 private:
  ResidualUnitOptions options_;
  BatchNorm2d bn1{nullptr};
  torch::nn::Conv2d conv1{nullptr};
  BatchNorm2d bn2{nullptr};
  torch::nn::Conv2d conv2{nullptr};
  torch::nn::Conv2d sc{nullptr};  // null for an identity shortcut
};
TORCH_MODULE(BasicUnit);

/// bn1-relu1 -> [sc 1x1/s, 4f] -> conv1 1x1 -> bn2-relu2 -> conv2 3x3/s -> bn3-relu3 -> conv3 1x1 (4f) -> add.
class BottleneckUnitImpl : public ResidualUnitImpl {
 public:
  explicit BottleneckUnitImpl(ResidualUnitOptions options);
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor* preactivation = nullptr) override;
  int64_t out_channels() const override { return 4 * options_.filters(); }
  void append_keras_bindings(std::vector<KerasBinding>& out, const std::string& prefix) const override;

 private:
  ResidualUnitOptions options_;
  BatchNorm2d bn1{nullptr};
  torch::nn::Conv2d conv1{nullptr};
  BatchNorm2d bn2{nullptr};
  torch::nn::Conv2d conv2{nullptr};
  BatchNorm2d bn3{nullptr};
  torch::nn::Conv2d conv3{nullptr};
  torch::nn::Conv2d sc{nullptr};  // null for an identity shortcut
};
TORCH_MODULE(BottleneckUnit);

/// Conv2d without bias, Keras he_uniform initialisation; padding is symmetric, as Keras ZeroPadding2D + 'valid'.
torch::nn::Conv2d make_resnet_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding);

/// BatchNorm2d with the given Keras-derived epsilon and (PyTorch-convention) momentum.
BatchNorm2d make_batch_norm(int64_t channels, double eps, double momentum);

}  // namespace steel::models
