// The steel_models table: computed counts against the thesis, formatting and error handling.
#include "steel/models/model_summary.h"

#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steel/core/error.h"

namespace steel::models {
namespace {

using ::testing::HasSubstr;

TEST(ModelSummary, ThesisBackbonesMatchAndOthersAreMarkedNotApplicable) {
  std::ostringstream out;
  ModelSummaryOptions options;
  options.backbones = {"resnet34", "resnet18", "efficientnet-b0"};
  EXPECT_TRUE(print_model_summary(options, out));
  const std::string table = out.str();
  std::cout << table;
  EXPECT_THAT(table, HasSubstr("Keras trainable"));
  EXPECT_THAT(table, HasSubstr("PyTorch trainable"));
  // resnet34 row: Keras total, Keras trainable, thesis total, thesis trainable, match, PyTorch total, trainable.
  EXPECT_THAT(table, ::testing::ContainsRegex("resnet34 +24,456,589 +3,167,495 +24,456,589 +3,167,495 +yes "
                                              "+24,439,239 +3,167,495"));
  EXPECT_THAT(table, ::testing::ContainsRegex("resnet18 .* n/a "));
  EXPECT_THAT(table, HasSubstr("all listed backbones match"));
}

TEST(ModelSummary, PyTorchTrainableColumnFollowsTheEncoderMode) {
  std::ostringstream out;
  ModelSummaryOptions options;
  options.backbones = {"efficientnet-b0"};
  options.encoder_mode = EncoderMode::kFrozen;
  EXPECT_TRUE(print_model_summary(options, out));
  // Keras columns stay in the thesis convention; the last column is decoder + head only.
  EXPECT_THAT(out.str(), ::testing::ContainsRegex("efficientnet-b0 +10,115,936 +6,106,404 .* 10,071,936 +6,064,388"));
  EXPECT_THAT(out.str(), HasSubstr("'frozen'"));
}

TEST(ModelSummary, UnknownBackboneIsAConfigError) {
  std::ostringstream out;
  ModelSummaryOptions options;
  options.backbones = {"resnet34", "vgg16"};
  EXPECT_THROW(print_model_summary(options, out), ConfigError);
  EXPECT_TRUE(out.str().empty()) << "names are checked before anything is printed";
}

TEST(ModelSummary, ThesisFigureHasTheEightTrainedBackbones) {
  int listed = 0;
  for (const char* name : {"resnet34", "resnet50", "resnet101", "efficientnet-b0", "efficientnet-b1",
                           "efficientnet-b3", "efficientnet-b5", "efficientnet-b7"}) {
    listed += thesis_figure56(name).has_value() ? 1 : 0;
  }
  EXPECT_EQ(listed, 8);
  EXPECT_FALSE(thesis_figure56("resnet18").has_value());
  EXPECT_EQ(thesis_figure56("efficientnet-b7")->trainable, 11259588);
}

}  // namespace
}  // namespace steel::models
