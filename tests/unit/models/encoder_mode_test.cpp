// Encoder modes: which parameters get gradients, train/eval state, BN statistics, and the frozen no-graph path.
#include "steel/models/encoder_mode.h"

#include <ostream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steel/core/error.h"
#include "steel/models/model_factory.h"

namespace steel::models {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Names of the encoder's normalisation parameters by torch naming: BatchNorm weight/bias and bn_data's bias.
// Written from the module names, independently of EncoderImpl::normalization_parameters().
bool is_encoder_norm_parameter(const std::string& name) {
  const auto dot = name.rfind('.');
  const std::string module = name.substr(0, dot);
  const std::string last = module.substr(module.rfind('.') + 1);
  return last == "bn_data" || last.find("bn") != std::string::npos;
}

bool expected_trainable(const std::string& name, EncoderMode mode) {
  if (name.rfind("encoder.", 0) != 0) return true;  // decoder and head always train
  switch (mode) {
    case EncoderMode::kTrainable: return true;
    case EncoderMode::kFrozen: return false;
    case EncoderMode::kThesis: return is_encoder_norm_parameter(name);
  }
  return false;
}

struct ModeCase {
  std::string backbone;
  EncoderMode mode;
};

void PrintTo(const ModeCase& c, std::ostream* os) { *os << c.backbone << " / " << to_string(c.mode); }

class GradientFlowTest : public ::testing::TestWithParam<ModeCase> {};

TEST_P(GradientFlowTest, OnlyTrainableParametersReceiveGradients) {
  const ModeCase& c = GetParam();
  torch::manual_seed(0);
  // No drop-connect, so that no block's gradient is zero by chance.
  UNet model = make_unet(c.backbone, UNetOptions().encoder_mode(c.mode).drop_connect_rate(0.0));
  model->train();
  const torch::Tensor logits = model->forward(torch::rand({2, 3, 64, 64}));
  torch::nn::functional::binary_cross_entropy_with_logits(logits, torch::rand({2, 4, 64, 64})).backward();

  int64_t trainable = 0;
  int64_t frozen = 0;
  for (const auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    const torch::Tensor& p = item.value();
    const bool should_train = expected_trainable(name, c.mode);
    EXPECT_EQ(p.requires_grad(), should_train) << name;
    if (should_train) {
      ++trainable;
      ASSERT_TRUE(p.grad().defined()) << name;
      EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0) << name << " got an all-zero gradient";
    } else {
      ++frozen;
      EXPECT_FALSE(p.grad().defined()) << name << " is frozen but has a gradient buffer";
    }
  }
  EXPECT_GT(trainable, 0);
  if (c.mode == EncoderMode::kTrainable) {
    EXPECT_EQ(frozen, 0);
  } else {
    EXPECT_GT(frozen, 0);
  }
  EXPECT_EQ(model->trainable_parameters().size(), static_cast<size_t>(trainable));
}

INSTANTIATE_TEST_SUITE_P(
    Modes, GradientFlowTest,
    ::testing::Values(ModeCase{"resnet18", EncoderMode::kThesis}, ModeCase{"resnet18", EncoderMode::kFrozen},
                      ModeCase{"resnet18", EncoderMode::kTrainable},
                      ModeCase{"efficientnet-b0", EncoderMode::kThesis},
                      ModeCase{"efficientnet-b0", EncoderMode::kFrozen},
                      ModeCase{"efficientnet-b0", EncoderMode::kTrainable}),
    [](const ::testing::TestParamInfo<ModeCase>& info) {
      std::string name = info.param.backbone + "_" + to_string(info.param.mode);
      for (char& ch : name) {
        if (ch == '-') ch = '_';
      }
      return name;
    });

TEST(EncoderMode, FrozenEncoderKeepsNoAutogradGraph) {
  for (const char* backbone : {"resnet18", "efficientnet-b0"}) {
    SCOPED_TRACE(backbone);
    UNet model = make_unet(backbone, UNetOptions().encoder_mode(EncoderMode::kFrozen));
    model->train();
    const torch::Tensor images = torch::rand({1, 3, 64, 64}).requires_grad_(true);
    const EncoderFeatures features = model->encode(images);
    EXPECT_FALSE(features.bottom.requires_grad());
    EXPECT_EQ(features.bottom.grad_fn(), nullptr);
    for (const auto& skip : features.skips) {
      EXPECT_FALSE(skip.requires_grad());
      EXPECT_EQ(skip.grad_fn(), nullptr);
    }
    // Grad mode is back on for the decoder, and the input's gradient is not reachable through the encoder.
    EXPECT_TRUE(torch::GradMode::is_enabled());
    const torch::Tensor logits = model->forward(images);
    EXPECT_TRUE(logits.requires_grad());
    logits.sum().backward();
    EXPECT_FALSE(images.grad().defined());

    // In thesis mode the encoder's BN parameters train, so the graph must run through the encoder.
    model->set_encoder_mode(EncoderMode::kThesis);
    EXPECT_NE(model->encode(images).bottom.grad_fn(), nullptr);
  }
}

TEST(EncoderMode, TrainKeepsAFrozenEncoderInEvalMode) {
  UNet model = make_unet("resnet18", UNetOptions().encoder_mode(EncoderMode::kFrozen));
  model->train();
  EXPECT_TRUE(model->is_training());
  EXPECT_TRUE(model->decoder().is_training());
  for (const auto& m : model->encoder().modules(/*include_self=*/true)) EXPECT_FALSE(m->is_training());

  // Eval-mode BN: running statistics stay put however much data flows through.
  const torch::Tensor mean_before = model->encoder().named_buffers()["bn0.running_mean"].clone();
  model->forward(torch::rand({2, 3, 64, 64}) * 5.0);
  EXPECT_TRUE(torch::equal(model->encoder().named_buffers()["bn0.running_mean"], mean_before));

  // Switching to thesis mode puts the encoder BN back in training mode: statistics move.
  model->set_encoder_mode(EncoderMode::kThesis);
  EXPECT_TRUE(model->encoder().is_training());
  model->forward(torch::rand({2, 3, 64, 64}) * 5.0);
  EXPECT_FALSE(torch::equal(model->encoder().named_buffers()["bn0.running_mean"], mean_before));

  model->eval();
  EXPECT_FALSE(model->encoder().is_training());
  EXPECT_FALSE(model->decoder().is_training());
}

TEST(EncoderMode, FreezingDropsExistingGradients) {
  UNet model = make_unet("resnet18", UNetOptions().encoder_mode(EncoderMode::kTrainable));
  model->forward(torch::rand({2, 3, 64, 64})).sum().backward();
  const torch::Tensor conv0 = model->encoder().named_parameters()["conv0.weight"];
  ASSERT_TRUE(conv0.grad().defined());
  model->set_encoder_mode(EncoderMode::kThesis);
  EXPECT_FALSE(conv0.grad().defined());
  EXPECT_FALSE(conv0.requires_grad());
  EXPECT_TRUE(model->encoder().named_parameters()["bn0.weight"].requires_grad());
}

TEST(EncoderMode, ParsesKnownNamesAndListsThemOnError) {
  EXPECT_EQ(parse_encoder_mode("thesis"), EncoderMode::kThesis);
  EXPECT_EQ(parse_encoder_mode("frozen"), EncoderMode::kFrozen);
  EXPECT_EQ(parse_encoder_mode("trainable"), EncoderMode::kTrainable);
  for (const auto& name : encoder_mode_names()) EXPECT_EQ(to_string(parse_encoder_mode(name)), name);
  EXPECT_THAT([] { parse_encoder_mode("Frozen"); },
              ThrowsMessage<ConfigError>(HasSubstr("expected one of: thesis, frozen, trainable")));
}

}  // namespace
}  // namespace steel::models
