// The parameter counts reproduce the thesis' Figure 56 (Keras convention) and ARCH_NOTES' PyTorch-convention table.
#include "steel/models/param_count.h"

#include <cstdint>
#include <iostream>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "steel/models/efficientnet_encoder.h"
#include "steel/models/model_factory.h"

namespace steel::models {
namespace {

struct Expected {
  std::string backbone;
  // Thesis Figure 56 (thesis_figure56_params.csv): Keras model.summary() of sm.Unet(encoder_freeze=True).
  int64_t keras_total;
  int64_t keras_trainable;
  // ARCH_NOTES results table: PyTorch parameters() total, and decoder + head parameters only.
  int64_t torch_total;
  int64_t decoder_only;
};

const Expected kFigure56[] = {
    {"resnet34", 24456589, 3167495, 24439239, 3152132},
    {"resnet50", 32561549, 9059079, 32513991, 9013508},
    {"resnet101", 51605901, 9111303, 51506119, 9013508},
    {"efficientnet-b0", 10115936, 6106404, 10071936, 6064388},
    {"efficientnet-b1", 12641604, 6126436, 12577572, 6064388},
    {"efficientnet-b3", 17868268, 7170052, 17778988, 7082756},
    {"efficientnet-b5", 37469108, 9126340, 37294388, 8953604},
    {"efficientnet-b7", 75048532, 11259588, 74735828, 10948868},
};

// Readable failure messages instead of gtest's byte dump.
void PrintTo(const Expected& e, std::ostream* os) { *os << e.backbone; }

class Figure56Test : public ::testing::TestWithParam<Expected> {};

TEST_P(Figure56Test, CountsMatchThesisInEveryEncoderMode) {
  const Expected& e = GetParam();
  UNet model = make_unet(e.backbone, UNetOptions().encoder_mode(EncoderMode::kThesis));
  const ParamCounts thesis = count_parameters(*model);
  std::cout << "[counts] " << e.backbone << ": keras_total=" << thesis.keras_total
            << " keras_trainable=" << thesis.keras_trainable << " torch_total=" << thesis.torch_total
            << " torch_trainable=" << thesis.torch_trainable << "\n";
  EXPECT_EQ(thesis.keras_total, e.keras_total);
  EXPECT_EQ(thesis.keras_trainable, e.keras_trainable);
  EXPECT_EQ(thesis.torch_total, e.torch_total);
  // Moving statistics are never trainable, so the thesis' trainable count is also the PyTorch one.
  EXPECT_EQ(thesis.torch_trainable, e.keras_trainable);

  model->set_encoder_mode(EncoderMode::kFrozen);
  const ParamCounts frozen = count_parameters(*model);
  EXPECT_EQ(frozen.torch_trainable, e.decoder_only);
  EXPECT_EQ(frozen.keras_total, e.keras_total);
  EXPECT_EQ(frozen.keras_trainable, e.keras_trainable) << "the Keras column must not depend on the mode";

  model->set_encoder_mode(EncoderMode::kTrainable);
  EXPECT_EQ(count_parameters(*model).torch_trainable, e.torch_total);
}

INSTANTIATE_TEST_SUITE_P(Thesis, Figure56Test, ::testing::ValuesIn(kFigure56),
                         [](const ::testing::TestParamInfo<Expected>& info) {
                           std::string name = info.param.backbone;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

TEST(EncoderCounts, MatchTheKerasNotopModels) {
  // ARCH_NOTES "Encoder Keras totals" (the familiar Keras include_top=False figures) and the PyTorch-convention
  // EfficientNet counts, which equal lukemelas EfficientNet-PyTorch without _fc.
  struct Row {
    std::string backbone;
    int64_t keras_total;
    int64_t torch_total;  // 0: not listed in ARCH_NOTES
  };
  const Row rows[] = {{"resnet34", 21302473, 21287107},
                      {"resnet50", 23546057, 0},
                      {"resnet101", 42590409, 0},
                      {"efficientnet-b0", 4049564, 4007548},
                      {"efficientnet-b1", 6575232, 0},
                      {"efficientnet-b3", 10783528, 0},
                      {"efficientnet-b5", 28513520, 0},
                      {"efficientnet-b7", 64097680, 63786960}};
  for (const auto& row : rows) {
    const auto encoder = make_encoder(row.backbone);
    const ParamCounts counts = count_module_parameters(*encoder);
    EXPECT_EQ(counts.keras_total, row.keras_total) << row.backbone;
    if (row.torch_total != 0) {
      EXPECT_EQ(counts.torch_total, row.torch_total) << row.backbone;
    }
  }
}

TEST(EfficientNetScaling, RoundFiltersAndRepeatsFollowTheReferenceRules) {
  // Widths listed in ARCH_NOTES for b3/b5/b7 and the rounding corner cases.
  EXPECT_EQ(round_filters(32, 1.2), 40);
  EXPECT_EQ(round_filters(112, 1.2), 136);
  EXPECT_EQ(round_filters(192, 1.2), 232);
  EXPECT_EQ(round_filters(1280, 1.2), 1536);
  EXPECT_EQ(round_filters(80, 1.6), 128);
  EXPECT_EQ(round_filters(112, 1.6), 176);
  EXPECT_EQ(round_filters(192, 1.6), 304);
  EXPECT_EQ(round_filters(40, 2.0), 80);
  EXPECT_EQ(round_filters(4, 1.0), 8);  // never below the divisor
  EXPECT_EQ(round_repeats(2, 1.1), 3);  // 2.2 rounds up
  EXPECT_EQ(round_repeats(3, 1.1), 4);
  EXPECT_EQ(round_repeats(4, 3.1), 13);
  EXPECT_EQ(round_repeats(1, 1.0), 1);
}

TEST(EfficientNetScaling, DropConnectUsesTheUnscaledBlockCount) {
  for (const auto& [b, max_rate] : {std::pair<int, double>{0, 0.1875}, {1, 0.275}, {3, 0.3125}, {5, 0.475},
                                    {7, 0.675}}) {
    EfficientNetEncoder encoder(EfficientNetEncoderOptions::variant(b));
    EXPECT_NEAR(encoder->blocks().back()->options().drop_rate(), max_rate, 1e-12) << "b" << b;
    EXPECT_EQ(encoder->blocks().front()->options().drop_rate(), 0.0);
  }
}

}  // namespace
}  // namespace steel::models
