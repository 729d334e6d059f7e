// U-Net shapes for every backbone, input validation, decoder wiring and the factory's error messages.
#include "steel/models/unet.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steel/core/build_info.h"
#include "steel/core/error.h"
#include "steel/models/model_factory.h"

namespace steel::models {
namespace {

TEST(ThesisBackbones, AreTheEightOfTheThesisTablesAndAllBuildable) {
  const auto& thesis = thesis_backbones();
  ASSERT_EQ(thesis.size(), 8U);
  const auto names = backbone_names();
  std::ifstream table(std::string(source_config_dir()) + "/thesis/thesis_figure55_training.csv");
  ASSERT_TRUE(table) << "the thesis's Figure 55 table is missing";
  std::vector<std::string> rows;
  std::string line;
  std::getline(table, line);  // header
  while (std::getline(table, line)) rows.push_back(line.substr(0, line.find(',')));
  EXPECT_EQ(rows, thesis) << "the thesis's backbones, in the order of its tables";
  for (const auto& b : thesis) EXPECT_NE(std::find(names.begin(), names.end(), b), names.end()) << b;
}

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

class EveryBackboneTest : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryBackboneTest, SmallInputGivesFourLogitMapsAndFeaturePyramid) {
  torch::manual_seed(0);
  UNet model = make_unet(GetParam());
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor images = torch::rand({1, 3, 64, 96});
  const EncoderFeatures features = model->encode(images);
  EXPECT_EQ(features.bottom.sizes(), torch::IntArrayRef({1, model->encoder().out_channels(), 2, 3}));
  const std::vector<int64_t> skip_channels = model->encoder().skip_channels();
  ASSERT_EQ(features.skips.size(), 4u);
  ASSERT_EQ(skip_channels.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const int64_t scale = int64_t{16} >> i;  // 1/16, 1/8, 1/4, 1/2
    EXPECT_EQ(features.skips[i].sizes(), torch::IntArrayRef({1, skip_channels[i], 64 / scale, 96 / scale}))
        << "skip " << i;
  }
  const torch::Tensor logits = model->forward(images);
  EXPECT_EQ(logits.sizes(), torch::IntArrayRef({1, 4, 64, 96}));
  EXPECT_TRUE(torch::isfinite(logits).all().item<bool>());
  const torch::Tensor probabilities = model->predict(images);
  EXPECT_TRUE(torch::allclose(probabilities, torch::sigmoid(logits)));
  EXPECT_GE(probabilities.min().item<float>(), 0.0f);
  EXPECT_LE(probabilities.max().item<float>(), 1.0f);
}

INSTANTIATE_TEST_SUITE_P(Backbones, EveryBackboneTest, ::testing::ValuesIn(backbone_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

TEST(UNet, ResNet34At128x800InTrainingMode) {
  UNet model = make_unet("resnet34");
  model->train();
  const torch::Tensor logits = model->forward(torch::rand({2, 3, 128, 800}));
  EXPECT_EQ(logits.sizes(), torch::IntArrayRef({2, 4, 128, 800}));
  EXPECT_TRUE(logits.requires_grad());
}

TEST(UNet, DecoderInputChannelsMatchSegmentationModels) {
  // ARCH_NOTES "Decoder conv_a input channels (upsampled + skip)", stages 0..4.
  const std::map<std::string, std::vector<int64_t>> expected{
      {"resnet34", {768, 384, 192, 128, 32}},         {"resnet50", {3072, 768, 384, 128, 32}},
      {"efficientnet-b0", {1952, 496, 272, 160, 32}}, {"efficientnet-b3", {2352, 544, 320, 208, 32}},
      {"efficientnet-b5", {3104, 640, 368, 208, 32}}, {"efficientnet-b7", {3904, 736, 416, 256, 32}},
  };
  for (const auto& [backbone, channels] : expected) {
    UNet model = make_unet(backbone);
    const auto params = model->named_parameters();
    for (size_t i = 0; i < channels.size(); ++i) {
      const std::string name = "decoder.stage" + std::to_string(i) + ".a.conv.weight";
      ASSERT_NE(params.find(name), nullptr) << name;
      EXPECT_EQ(params[name].size(1), channels[i]) << backbone << " " << name;
    }
    EXPECT_EQ(params["final_conv.weight"].sizes(), torch::IntArrayRef({4, 16, 3, 3}));
    EXPECT_EQ(params["final_conv.bias"].numel(), 4);
  }
}

TEST(UNet, ConcatenatesUpsampledBeforeSkip) {
  // Zero every decoder_stage0a input channel except the first skip channel: the output must then
  // react to the skip (channels after the upsampled ones) and ignore the bottleneck.
  UNet model = make_unet("resnet18", UNetOptions().encoder_mode(EncoderMode::kTrainable));
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor images = torch::rand({1, 3, 64, 64});
  EncoderFeatures features = model->encode(images);
  auto w = model->named_parameters()["decoder.stage0.a.conv.weight"];
  const int64_t upsampled = model->encoder().out_channels();
  w.zero_();
  w.select(1, upsampled).fill_(1.0);
  const torch::Tensor base = model->decoder().forward(features);
  EncoderFeatures changed_bottom = features;
  changed_bottom.bottom = features.bottom + 1.0;
  EXPECT_TRUE(torch::allclose(model->decoder().forward(changed_bottom), base));
  EncoderFeatures changed_skip = features;
  changed_skip.skips[0] = features.skips[0] + 1.0;
  EXPECT_FALSE(torch::allclose(model->decoder().forward(changed_skip), base));
}

TEST(UNet, RejectsBadInputsWithClearMessages) {
  UNet model = make_unet("resnet18");
  EXPECT_THAT([&] { model->forward(torch::rand({1, 3, 64, 100})); },
              ThrowsMessage<c10::Error>(HasSubstr("divisible by 32")));
  EXPECT_THAT([&] { model->forward(torch::rand({1, 1, 64, 64})); },
              ThrowsMessage<c10::Error>(HasSubstr("[N,3,H,W]")));
  EXPECT_THAT([&] { model->forward(torch::ones({1, 3, 64, 64}, torch::kUInt8)); },
              ThrowsMessage<c10::Error>(HasSubstr("floating-point")));
}

TEST(ModelFactory, UnknownBackboneListsEveryValidName) {
  EXPECT_THAT([] { make_unet("resnet35"); }, ThrowsMessage<ConfigError>(HasSubstr("unknown backbone 'resnet35'")));
  try {
    make_encoder("efficientnet-b8");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    for (const auto& name : backbone_names()) EXPECT_THAT(e.what(), HasSubstr(name));
  }
}

TEST(ModelFactory, NamesCoverTheThesisBackbonesAndTheFreeOnes) {
  const std::vector<std::string> expected{"resnet18",        "resnet34",        "resnet50",        "resnet101",
                                          "resnet152",       "efficientnet-b0", "efficientnet-b1", "efficientnet-b2",
                                          "efficientnet-b3", "efficientnet-b4", "efficientnet-b5", "efficientnet-b6",
                                          "efficientnet-b7"};
  EXPECT_EQ(backbone_names(), expected);
}

}  // namespace
}  // namespace steel::models
