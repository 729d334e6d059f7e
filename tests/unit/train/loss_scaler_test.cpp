#include "steel/train/loss_scaler.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace steel::train {
namespace {

torch::Tensor parameter_with_grad(std::vector<float> grad) {
  auto p = torch::zeros({static_cast<int64_t>(grad.size())}, torch::requires_grad());
  p.mutable_grad() = torch::tensor(grad);
  return p;
}

}  // namespace

TEST(LossScaler, ScalesTheLossAndUnscalesTheGradients) {
  LossScaler scaler(true, 1024.0, 100);
  EXPECT_DOUBLE_EQ(scaler.scale(torch::tensor(0.5)).item<double>(), 512.0);
  auto p = parameter_with_grad({1024.0f, -2048.0f});
  ASSERT_TRUE(scaler.unscale_and_check({p}));
  EXPECT_TRUE(torch::equal(p.grad(), torch::tensor({1.0f, -2.0f})));
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 1024.0);
}

TEST(LossScaler, AnOverflowSkipsTheStepAndHalvesTheScale) {
  LossScaler scaler(true, 1024.0, 100);
  auto good = parameter_with_grad({1.0f});
  auto bad = parameter_with_grad({std::numeric_limits<float>::infinity()});
  EXPECT_FALSE(scaler.unscale_and_check({good, bad}));
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 512.0);
  auto nan = parameter_with_grad({std::numeric_limits<float>::quiet_NaN()});
  EXPECT_FALSE(scaler.unscale_and_check({nan}));
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 256.0);
}

TEST(LossScaler, GrowsAfterTheGrowthIntervalOfGoodSteps) {
  LossScaler scaler(true, 8.0, 3);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(scaler.unscale_and_check({parameter_with_grad({8.0f})}));
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 8.0);
  ASSERT_TRUE(scaler.unscale_and_check({parameter_with_grad({8.0f})}));
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 16.0);
  // An overflow restarts the count.
  ASSERT_FALSE(scaler.unscale_and_check({parameter_with_grad({std::numeric_limits<float>::infinity()})}));
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 8.0);
}

TEST(LossScaler, ARestoredScalerContinuesWhereTheSavedOneStood) {
  LossScaler saved(true, 8.0, 3);
  ASSERT_TRUE(saved.unscale_and_check({parameter_with_grad({8.0f})}));
  ASSERT_TRUE(saved.unscale_and_check({parameter_with_grad({8.0f})}));
  LossScaler resumed(true, 65536.0, 3);  // a fresh run's initial scale
  resumed.restore(saved.current_scale(), saved.good_steps());
  // One more good step grows both, exactly as it would have without the interruption.
  ASSERT_TRUE(saved.unscale_and_check({parameter_with_grad({8.0f})}));
  ASSERT_TRUE(resumed.unscale_and_check({parameter_with_grad({8.0f})}));
  EXPECT_DOUBLE_EQ(resumed.current_scale(), 16.0);
  EXPECT_DOUBLE_EQ(resumed.current_scale(), saved.current_scale());
  EXPECT_EQ(resumed.good_steps(), saved.good_steps());
}

TEST(LossScaler, ADisabledScalerPassesEverythingThrough) {
  LossScaler scaler(false);
  EXPECT_DOUBLE_EQ(scaler.scale(torch::tensor(0.5)).item<double>(), 0.5);
  auto p = parameter_with_grad({std::numeric_limits<float>::infinity()});
  EXPECT_TRUE(scaler.unscale_and_check({p})) << "disabled: the trainer's own non-finite check decides";
  EXPECT_TRUE(std::isinf(p.grad()[0].item<float>()));
}

}  // namespace steel::train
