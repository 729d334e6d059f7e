#include "steel/models/same_pad_conv.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace steel::models {

SamePadding tf_same_padding(int64_t in, int64_t kernel, int64_t stride) {
  TORCH_CHECK(in > 0 && kernel > 0 && stride > 0, "tf_same_padding: in, kernel and stride must be positive, got ",
              in, ", ", kernel, ", ", stride);
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + kernel - in, 0);
  return {total / 2, total - total / 2};
}

SamePadConv2dImpl::SamePadConv2dImpl(SamePadConv2dOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  TORCH_CHECK(o.groups() > 0 && o.in_channels() % o.groups() == 0 && o.out_channels() % o.groups() == 0,
              "SamePadConv2d: in_channels (", o.in_channels(), ") and out_channels (", o.out_channels(),
              ") must be divisible by groups (", o.groups(), ")");
  weight = register_parameter(
      "weight", torch::empty({o.out_channels(), o.in_channels() / o.groups(), o.kernel_size(), o.kernel_size()}));
  // Same default initialisation as torch::nn::Conv2d; owners re-initialise to their paper's scheme.
  torch::nn::init::kaiming_uniform_(weight, /*a=*/std::sqrt(5.0));
  if (o.bias()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(weight[0].numel()));
    bias = register_parameter("bias", torch::empty({o.out_channels()}).uniform_(-bound, bound));
  }
}

torch::Tensor SamePadConv2dImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 4, "SamePadConv2d expects [N,C,H,W], got ", x.sizes());
  const int64_t k = options_.kernel_size();
  const int64_t s = options_.stride();
  const SamePadding ph = tf_same_padding(x.size(2), k, s);
  const SamePadding pw = tf_same_padding(x.size(3), k, s);
  const std::array<int64_t, 2> stride{s, s};
  const std::array<int64_t, 2> dilation{1, 1};
  if (ph.before == ph.after && pw.before == pw.after) {
    // Symmetric (always the case for stride 1): let the convolution pad, which avoids a copy.
    const std::array<int64_t, 2> padding{ph.before, pw.before};
    return torch::conv2d(x, weight, bias, stride, padding, dilation, options_.groups());
  }
  namespace F = torch::nn::functional;
  const torch::Tensor padded = F::pad(x, F::PadFuncOptions({pw.before, pw.after, ph.before, ph.after}));
  const std::array<int64_t, 2> no_padding{0, 0};
  return torch::conv2d(padded, weight, bias, stride, no_padding, dilation, options_.groups());
}

}  // namespace steel::models
