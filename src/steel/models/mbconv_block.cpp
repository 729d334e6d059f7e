#include "steel/models/mbconv_block.h"

#include <algorithm>
#include <cmath>

namespace steel::models {

namespace {

// EfficientNet's CONV_KERNEL_INITIALIZER: variance scaling 2.0 over fan_out (Keras counts a depthwise
// kernel's fan_out as kh*kw, which torch's (C,1,kh,kw) layout would misread as C*kh*kw).
void init_fan_out(torch::Tensor& weight, int64_t fan_out) {
  torch::NoGradGuard no_grad;
  weight.normal_(0.0, std::sqrt(2.0 / static_cast<double>(fan_out)));
}

torch::nn::Conv2d make_pointwise(int64_t in, int64_t out, bool bias) {
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(in, out, 1).bias(bias));
  init_fan_out(conv->weight, out);
  if (bias) torch::nn::init::zeros_(conv->bias);
  return conv;
}

BatchNorm2d make_bn(int64_t channels, const MBConvBlockOptions& o) {
  return BatchNorm2d(torch::nn::BatchNorm2dOptions(channels).eps(o.bn_eps()).momentum(o.bn_momentum()));
}

}  // namespace

torch::Tensor drop_connect(const torch::Tensor& x, double rate, bool training) {
  if (!training || rate <= 0.0) return x;
  const double keep = 1.0 - rate;
  const torch::Tensor mask = torch::empty({x.size(0), 1, 1, 1}, x.options()).bernoulli_(keep);
  return x * mask / keep;
}

MBConvBlockImpl::MBConvBlockImpl(MBConvBlockOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  TORCH_CHECK(o.expand_ratio() >= 1 && o.kernel_size() % 2 == 1 && (o.stride() == 1 || o.stride() == 2),
              "MBConvBlock: need expand_ratio >= 1, an odd kernel and stride 1 or 2, got expand_ratio ",
              o.expand_ratio(), ", kernel ", o.kernel_size(), ", stride ", o.stride());
  const int64_t expanded = o.in_channels() * o.expand_ratio();
  if (o.expand_ratio() != 1) {
    expand_conv = register_module("expand_conv", make_pointwise(o.in_channels(), expanded, /*bias=*/false));
    expand_bn = register_module("expand_bn", make_bn(expanded, o));
  }
  dwconv = register_module("dwconv", SamePadConv2d(SamePadConv2dOptions(expanded, expanded, o.kernel_size())
                                                       .stride(o.stride())
                                                       .groups(expanded)));
  init_fan_out(dwconv->weight, o.kernel_size() * o.kernel_size());
  bn = register_module("bn", make_bn(expanded, o));
  const auto reduced = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(o.in_channels()) * o.se_ratio()));
  se_reduce = register_module("se_reduce", make_pointwise(expanded, reduced, /*bias=*/true));
  se_expand = register_module("se_expand", make_pointwise(reduced, expanded, /*bias=*/true));
  project_conv = register_module("project_conv", make_pointwise(expanded, o.out_channels(), /*bias=*/false));
  project_bn = register_module("project_bn", make_bn(o.out_channels(), o));
}

bool MBConvBlockImpl::has_residual() const {
  return options_.stride() == 1 && options_.in_channels() == options_.out_channels();
}

torch::Tensor MBConvBlockImpl::forward(const torch::Tensor& x, torch::Tensor* expand_activation) {
  torch::Tensor y = x;
  if (expand_conv) {
    y = torch::silu(expand_bn(expand_conv(y)));
    if (expand_activation != nullptr) *expand_activation = y;
  } else {
    TORCH_CHECK(expand_activation == nullptr, "MBConvBlock: a block without expand conv has no expand activation");
  }
  y = torch::silu(bn(dwconv(y)));
  torch::Tensor squeezed = y.mean({2, 3}, /*keepdim=*/true);
  squeezed = se_expand(torch::silu(se_reduce(squeezed)));
  y = y * torch::sigmoid(squeezed);
  y = project_bn(project_conv(y));
  if (!has_residual()) return y;
  return drop_connect(y, options_.drop_rate(), is_training()) + x;
}

void MBConvBlockImpl::append_keras_bindings(std::vector<KerasBinding>& out, const std::string& prefix) const {
  if (expand_conv) {
    bind_conv(out, prefix + "expand_conv", expand_conv);
    bind_batch_norm(out, prefix + "expand_bn", expand_bn);
  }
  bind_depthwise_conv(out, prefix + "dwconv", dwconv->weight);
  bind_batch_norm(out, prefix + "bn", bn);
  bind_conv(out, prefix + "se_reduce", se_reduce);
  bind_conv(out, prefix + "se_expand", se_expand);
  bind_conv(out, prefix + "project_conv", project_conv);
  bind_batch_norm(out, prefix + "project_bn", project_bn);
}

}  // namespace steel::models
