#include "steel/models/resnet_units.h"

namespace steel::models {

torch::nn::Conv2d make_resnet_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding) {
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
  // he_uniform: U(-sqrt(6/fan_in), sqrt(6/fan_in)), which is kaiming_uniform with the ReLU gain.
  torch::nn::init::kaiming_uniform_(conv->weight, /*a=*/0, torch::kFanIn, torch::kReLU);
  return conv;
}

BatchNorm2d make_batch_norm(int64_t channels, double eps, double momentum) {
  return BatchNorm2d(torch::nn::BatchNorm2dOptions(channels).eps(eps).momentum(momentum));
}

BasicUnitImpl::BasicUnitImpl(ResidualUnitOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  TORCH_CHECK(o.projection() || (o.stride() == 1 && o.in_channels() == o.filters()),
              "BasicUnit: an identity shortcut needs stride 1 and in_channels == filters, got stride ", o.stride(),
              ", ", o.in_channels(), " -> ", o.filters());
  bn1 = register_module("bn1", make_batch_norm(o.in_channels(), o.bn_eps(), o.bn_momentum()));
  if (o.projection()) sc = register_module("sc", make_resnet_conv(o.in_channels(), o.filters(), 1, o.stride(), 0));
  conv1 = register_module("conv1", make_resnet_conv(o.in_channels(), o.filters(), 3, o.stride(), 1));
  bn2 = register_module("bn2", make_batch_norm(o.filters(), o.bn_eps(), o.bn_momentum()));
  conv2 = register_module("conv2", make_resnet_conv(o.filters(), o.filters(), 3, 1, 1));
}

torch::Tensor BasicUnitImpl::forward(const torch::Tensor& x, torch::Tensor* preactivation) {
  const torch::Tensor act = torch::relu(bn1(x));
  if (preactivation != nullptr) *preactivation = act;
  // cut='post' takes the shortcut from the activated input, cut='pre' from the raw input.
  const torch::Tensor shortcut = sc ? sc(act) : x;
  torch::Tensor y = conv1(act);
  y = conv2(torch::relu(bn2(y)));
  return y + shortcut;
}

void BasicUnitImpl::append_keras_bindings(std::vector<KerasBinding>& out, const std::string& prefix) const {
  bind_batch_norm(out, prefix + "bn1", bn1);
  if (sc) bind_conv(out, prefix + "sc", sc);  // Keras creates `sc` right after relu1
  bind_conv(out, prefix + "conv1", conv1);
  bind_batch_norm(out, prefix + "bn2", bn2);
  bind_conv(out, prefix + "conv2", conv2);
}

BottleneckUnitImpl::BottleneckUnitImpl(ResidualUnitOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  const int64_t f = o.filters();
  TORCH_CHECK(o.projection() || (o.stride() == 1 && o.in_channels() == 4 * f),
              "BottleneckUnit: an identity shortcut needs stride 1 and in_channels == 4 * filters, got stride ",
              o.stride(), ", ", o.in_channels(), " -> ", 4 * f);
  bn1 = register_module("bn1", make_batch_norm(o.in_channels(), o.bn_eps(), o.bn_momentum()));
  if (o.projection()) sc = register_module("sc", make_resnet_conv(o.in_channels(), 4 * f, 1, o.stride(), 0));
  conv1 = register_module("conv1", make_resnet_conv(o.in_channels(), f, 1, 1, 0));
  bn2 = register_module("bn2", make_batch_norm(f, o.bn_eps(), o.bn_momentum()));
  // classification_models strides the 3x3 conv, not the first 1x1 (the "ResNet v1.5" placement).
  conv2 = register_module("conv2", make_resnet_conv(f, f, 3, o.stride(), 1));
  bn3 = register_module("bn3", make_batch_norm(f, o.bn_eps(), o.bn_momentum()));
  conv3 = register_module("conv3", make_resnet_conv(f, 4 * f, 1, 1, 0));
}

torch::Tensor BottleneckUnitImpl::forward(const torch::Tensor& x, torch::Tensor* preactivation) {
  const torch::Tensor act = torch::relu(bn1(x));
  if (preactivation != nullptr) *preactivation = act;
  const torch::Tensor shortcut = sc ? sc(act) : x;
  torch::Tensor y = conv1(act);
  y = conv2(torch::relu(bn2(y)));
  y = conv3(torch::relu(bn3(y)));
  return y + shortcut;
}

void BottleneckUnitImpl::append_keras_bindings(std::vector<KerasBinding>& out, const std::string& prefix) const {
  bind_batch_norm(out, prefix + "bn1", bn1);
  if (sc) bind_conv(out, prefix + "sc", sc);  // Keras creates `sc` right after relu1
  bind_conv(out, prefix + "conv1", conv1);
  bind_batch_norm(out, prefix + "bn2", bn2);
  bind_conv(out, prefix + "conv2", conv2);
  bind_batch_norm(out, prefix + "bn3", bn3);
  bind_conv(out, prefix + "conv3", conv3);
}

}  // namespace steel::models
