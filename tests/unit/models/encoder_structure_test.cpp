// Details of the two encoder families that parameter counts alone would not catch.
#include <string>

#include <gtest/gtest.h>

#include "steel/models/efficientnet_encoder.h"
#include "steel/models/mbconv_block.h"
#include "steel/models/resnet_encoder.h"

namespace steel::models {
namespace {

// Every BatchNorm in `module` uses the given epsilon and (PyTorch-convention) momentum.
void expect_batch_norms(const torch::nn::Module& module, double eps, double momentum) {
  for (const auto& m : module.modules()) {
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) {
      EXPECT_DOUBLE_EQ(bn->options.eps(), eps);
      EXPECT_DOUBLE_EQ(bn->options.momentum().value(), momentum);
    }
  }
}

TEST(ResNetEncoder, HasPreActivationLayoutOfClassificationModels) {
  ResNetEncoder r34(ResNetEncoderOptions::for_depth(34));
  const auto params = r34->named_parameters();
  // Stage 1 unit 1 projects 64 -> 64 (torchvision has no such conv); later units use identity shortcuts.
  ASSERT_NE(params.find("stage1_unit1.sc.weight"), nullptr);
  EXPECT_EQ(params["stage1_unit1.sc.weight"].sizes(), torch::IntArrayRef({64, 64, 1, 1}));
  EXPECT_EQ(params.find("stage1_unit2.sc.weight"), nullptr);
  EXPECT_NE(params.find("stage4_unit3.conv2.weight"), nullptr);
  EXPECT_EQ(params.find("stage4_unit4.conv2.weight"), nullptr);
  // bn_data has a beta and no gamma; all convs are bias-free.
  EXPECT_EQ(params["bn_data.bias"].numel(), 3);
  EXPECT_EQ(params.find("bn_data.weight"), nullptr);
  for (const auto& item : params) {
    if (item.key().find("conv") != std::string::npos || item.key().find(".sc.") != std::string::npos) {
      EXPECT_EQ(item.key().substr(item.key().size() - 6), "weight") << item.key();
    }
  }
  // Keras epsilon 2e-5 and momentum 0.99 (0.01 in PyTorch's convention).
  expect_batch_norms(*r34, 2e-5, 0.01);
}

TEST(ResNetEncoder, BottleneckStridesTheThreeByThreeConv) {
  ResNetEncoder r50(ResNetEncoderOptions::for_depth(50));
  r50->eval();
  torch::NoGradGuard no_grad;
  // Stage 2 unit 1 of ResNet-50: the 1x1 conv1 keeps the resolution, the 3x3 conv2 halves it.
  const auto params = r50->named_parameters();
  EXPECT_EQ(params["stage2_unit1.conv1.weight"].sizes(), torch::IntArrayRef({128, 256, 1, 1}));
  EXPECT_EQ(params["stage2_unit1.conv2.weight"].sizes(), torch::IntArrayRef({128, 128, 3, 3}));
  EXPECT_EQ(params["stage2_unit1.sc.weight"].sizes(), torch::IntArrayRef({512, 256, 1, 1}));
  BottleneckUnit unit(ResidualUnitOptions(256, 128).stride(2).projection(true));
  unit->eval();
  torch::Tensor preactivation;
  const torch::Tensor y = unit->forward(torch::randn({1, 256, 16, 16}), &preactivation);
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({1, 512, 8, 8}));
  EXPECT_EQ(preactivation.sizes(), torch::IntArrayRef({1, 256, 16, 16}));
  EXPECT_GE(preactivation.min().item<float>(), 0.0f) << "the exposed pre-activation is after relu1";
}

TEST(EfficientNetEncoder, SqueezeWidthComesFromBlockInputFilters) {
  EfficientNetEncoder b0(EfficientNetEncoderOptions::variant(0));
  const auto params = b0->named_parameters();
  // ARCH_NOTES: b0 block2a expands 16 -> 96 and squeezes to int(16 * 0.25) = 4; block2b 24 -> 144 and 6.
  EXPECT_EQ(params["block2a.se_reduce.weight"].sizes(), torch::IntArrayRef({4, 96, 1, 1}));
  EXPECT_EQ(params["block2b.se_reduce.weight"].sizes(), torch::IntArrayRef({6, 144, 1, 1}));
  EXPECT_EQ(params["block2a.se_reduce.bias"].numel(), 4);
  EXPECT_EQ(params["block1a.se_reduce.weight"].sizes(), torch::IntArrayRef({8, 32, 1, 1}));
  EXPECT_EQ(params.find("block1a.expand_conv.weight"), nullptr) << "stage 1 does not expand";
  EXPECT_EQ(params["block2a.dwconv.weight"].sizes(), torch::IntArrayRef({96, 1, 3, 3}));
  EXPECT_EQ(params["block3a.dwconv.weight"].sizes(), torch::IntArrayRef({144, 1, 5, 5}));
  expect_batch_norms(*b0, 1e-3, 0.01);
}

TEST(EfficientNetEncoder, StageWidthsAndRepeatsOfB3AndB7) {
  // ARCH_NOTES: b3 stem 40; 40->24x2, 24->32x3, 32->48x3, 48->96x5, 96->136x5, 136->232x6, 232->384x2; top 1536.
  EfficientNetEncoder b3(EfficientNetEncoderOptions::variant(3));
  EXPECT_EQ(b3->blocks().size(), 2u + 3 + 3 + 5 + 5 + 6 + 2);
  EXPECT_EQ(b3->blocks().front()->options().in_channels(), 40);
  EXPECT_EQ(b3->blocks().back()->options().out_channels(), 384);
  EXPECT_EQ(b3->out_channels(), 1536);
  EXPECT_EQ(b3->skip_channels(), (std::vector<int64_t>{816, 288, 192, 144}));
  EfficientNetEncoder b7(EfficientNetEncoderOptions::variant(7));
  EXPECT_EQ(b7->blocks().size(), 4u + 7 + 7 + 10 + 10 + 13 + 4);
  EXPECT_EQ(b7->out_channels(), 2560);
  EXPECT_EQ(b7->skip_channels(), (std::vector<int64_t>{1344, 480, 288, 192}));
}

TEST(MBConvBlock, DropConnectOnlyOnResidualBlocksInTraining) {
  torch::manual_seed(0);
  const torch::Tensor x = torch::ones({4000, 1, 1, 1});
  const torch::Tensor dropped = drop_connect(x, 0.25, /*training=*/true);
  const auto zeros = (dropped == 0).sum().item<int64_t>();
  const auto kept = (dropped == 1.0 / 0.75).sum().item<int64_t>();
  EXPECT_EQ(zeros + kept, 4000) << "each sample is either dropped or scaled by 1/(1-rate)";
  EXPECT_NEAR(static_cast<double>(zeros) / 4000.0, 0.25, 0.03);
  EXPECT_TRUE(torch::equal(drop_connect(x, 0.25, /*training=*/false), x));

  MBConvBlock residual(MBConvBlockOptions(16, 16, 3).expand_ratio(6).drop_rate(0.5));
  MBConvBlock strided(MBConvBlockOptions(16, 24, 3).stride(2).expand_ratio(6).drop_rate(0.5));
  EXPECT_TRUE(residual->has_residual());
  EXPECT_FALSE(strided->has_residual());
  // A strided block has no residual, so its training output does not depend on the drop-connect draw.
  strided->train();
  const torch::Tensor input = torch::randn({8, 16, 8, 8});
  torch::manual_seed(1);
  const torch::Tensor a = strided(input);
  torch::manual_seed(2);
  EXPECT_TRUE(torch::allclose(a, strided(input)));
  // A residual block in eval mode is deterministic too; in training mode whole samples drop out.
  residual->train();
  torch::manual_seed(3);
  const torch::Tensor r = residual(input);
  int64_t identity_samples = 0;
  for (int64_t n = 0; n < 8; ++n) identity_samples += torch::equal(r[n], input[n]) ? 1 : 0;
  EXPECT_GT(identity_samples, 0) << "with rate 0.5 some of 8 samples keep only the shortcut";
  EXPECT_LT(identity_samples, 8);
}

}  // namespace
}  // namespace steel::models
