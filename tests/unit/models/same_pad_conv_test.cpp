// TensorFlow 'same' padding: hand-computed pad sizes, the stride-2 asymmetry, and output sizes.
#include "steel/models/same_pad_conv.h"

#include <gtest/gtest.h>

namespace steel::models {
namespace {

namespace F = torch::nn::functional;

TEST(TfSamePadding, MatchesHandComputedValues) {
  struct Case {
    int64_t in, kernel, stride, before, after;
  };
  // out = ceil(in/s); total = max((out-1)*s + k - in, 0).
  const Case cases[] = {
      {64, 3, 2, 0, 1},   // out 32, total 1: the extra row goes after (PyTorch padding=1 would be 1/1)
      {64, 5, 2, 1, 2},   // out 32, total 3
      {65, 3, 2, 1, 1},   // odd input: out 33, total 2, symmetric
      {65, 5, 2, 2, 2},   // out 33, total 4
      {64, 3, 1, 1, 1},   // stride 1 is always k/2 on both sides
      {64, 5, 1, 2, 2},
      {2, 5, 2, 1, 2},    // out 1, total 3
      {1, 3, 2, 1, 1},    // out 1, total 2
      {64, 1, 2, 0, 0},   // 1x1 stride 2: total max(-1, 0) = 0
  };
  for (const auto& c : cases) {
    const SamePadding p = tf_same_padding(c.in, c.kernel, c.stride);
    EXPECT_EQ(p.before, c.before) << "in " << c.in << " k " << c.kernel << " s " << c.stride;
    EXPECT_EQ(p.after, c.after) << "in " << c.in << " k " << c.kernel << " s " << c.stride;
  }
}

TEST(SamePadConv2d, Stride2PadsOnlyBottomAndRight) {
  SamePadConv2d conv(SamePadConv2dOptions(1, 1, 3).stride(2));
  {
    torch::NoGradGuard no_grad;
    conv->weight.fill_(1.0);
  }
  // Summing 3x3 windows of ones: windows fully inside give 9; TF adds the padding row/column only at the
  // bottom/right, so the last output row/column sees 6 and the corner 4. Symmetric padding would
  // instead shrink the *first* row and column.
  const torch::Tensor y = conv(torch::ones({1, 1, 4, 4}));
  const torch::Tensor expected = torch::tensor({9.0f, 6.0f, 6.0f, 4.0f}).reshape({1, 1, 2, 2});
  EXPECT_TRUE(torch::equal(y, expected)) << y;
  const torch::Tensor symmetric =
      F::conv2d(torch::ones({1, 1, 4, 4}), conv->weight, F::Conv2dFuncOptions().stride(2).padding(1));
  EXPECT_FALSE(torch::equal(y, symmetric));
}

TEST(SamePadConv2d, EqualsExplicitPadThenValidConv) {
  torch::manual_seed(0);
  SamePadConv2d conv(SamePadConv2dOptions(4, 4, 5).stride(2).groups(4).bias(true));
  const torch::Tensor x = torch::randn({2, 4, 10, 12});
  // H: out 5, total (4*2+5-10)=3 -> (1,2); W: out 6, total (5*2+5-12)=3 -> (1,2).
  const torch::Tensor padded = F::pad(x, F::PadFuncOptions({1, 2, 1, 2}));
  const torch::Tensor expected =
      F::conv2d(padded, conv->weight, F::Conv2dFuncOptions().bias(conv->bias).stride(2).groups(4));
  const torch::Tensor y = conv(x);
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, 4, 5, 6}));
  EXPECT_TRUE(torch::allclose(y, expected));
}

TEST(SamePadConv2d, OutputSizeIsCeilOfInputOverStride) {
  for (int64_t in : {7, 8, 9, 31, 32, 33}) {
    SamePadConv2d conv(SamePadConv2dOptions(2, 3, 3).stride(2));
    const torch::Tensor y = conv(torch::randn({1, 2, in, in + 1}));
    EXPECT_EQ(y.size(2), (in + 1) / 2) << in;
    EXPECT_EQ(y.size(3), (in + 2) / 2) << in;
  }
  SamePadConv2d stride1(SamePadConv2dOptions(2, 3, 5));
  EXPECT_EQ(stride1(torch::randn({1, 2, 9, 11})).sizes(), torch::IntArrayRef({1, 3, 9, 11}));
}

}  // namespace
}  // namespace steel::models
