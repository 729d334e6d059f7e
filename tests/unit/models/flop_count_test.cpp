#include "steel/models/flop_count.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

// A 3x3 convolution, 4 -> 8 channels, on a 2x4x10x12 input (padding 1): 2 FLOPs per multiply-add.
TEST(FlopCount, ConvolutionMatchesTheFormula) {
  torch::NoGradGuard no_grad;
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(4, 8, 3).padding(1).bias(false));
  auto x = torch::randn({2, 4, 10, 12});
  const int64_t flops = steel::models::count_forward_flops([&] { conv->forward(x); });
  EXPECT_EQ(flops, 2LL * 2 * 8 * 4 * 3 * 3 * 10 * 12);
}

TEST(FlopCount, MatrixProductMatchesTheFormula) {
  auto a = torch::randn({16, 32});
  auto b = torch::randn({32, 24});
  EXPECT_EQ(steel::models::count_forward_flops([&] { torch::mm(a, b); }), 2LL * 16 * 32 * 24);
}
