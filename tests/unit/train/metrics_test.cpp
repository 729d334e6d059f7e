#include "steel/train/metrics.h"

#include <cmath>

#include <gtest/gtest.h>

using steel::train::batch_metric_sums;
using steel::train::kaggle_dice_per_pair;
using steel::train::MetricSums;
using steel::train::summarize;

namespace {

// logit that makes sigmoid exactly p (up to rounding).
double logit(double p) { return std::log(p / (1 - p)); }

}  // namespace

TEST(Metrics, KaggleDiceOnHandComputedPairs) {
  // One record, 4 classes of 2x2 pixels.
  auto prob = torch::zeros({1, 4, 2, 2}, torch::kFloat64);
  auto truth = torch::zeros({1, 4, 2, 2}, torch::kFloat64);
  // class 0: predicted {0,1}, truth {1,2}: 2*1/(2+2) = 0.5
  prob[0][0][0][0] = 0.9; prob[0][0][0][1] = 0.6;
  truth[0][0][0][1] = 1; truth[0][0][1][0] = 1;
  // class 1: both empty -> 1
  // class 2: predicted empty (0.49 is below the threshold), truth one pixel -> 0
  prob[0][2][1][1] = 0.49; truth[0][2][1][1] = 1;
  // class 3: predicted one pixel (0.51; exactly 0.5 does not count), truth empty -> 0
  prob[0][3][0][0] = 0.51;
  prob[0][3][1][1] = 0.5;
  auto d = kaggle_dice_per_pair(prob, truth);
  ASSERT_EQ(d.sizes(), (torch::IntArrayRef{1, 4}));
  EXPECT_DOUBLE_EQ(d[0][0].item<double>(), 0.5);
  EXPECT_DOUBLE_EQ(d[0][1].item<double>(), 1.0);
  EXPECT_DOUBLE_EQ(d[0][2].item<double>(), 0.0);
  EXPECT_DOUBLE_EQ(d[0][3].item<double>(), 0.0);
}

TEST(Metrics, BatchSumsMatchHandComputedLossAndKerasDice) {
  // Two elements: p = 0.8 with y = 1, p = 0.25 with y = 0.
  auto logits = torch::tensor({logit(0.8), logit(0.25)}, torch::kFloat64).reshape({1, 1, 1, 2});
  auto targets = torch::tensor({1.0, 0.0}, torch::kFloat64).reshape({1, 1, 1, 2});
  auto sums = batch_metric_sums(logits, targets);
  ASSERT_EQ(sums.numel(), MetricSums::kCount);
  const double bce = -std::log(0.8) - std::log(0.75);
  EXPECT_NEAR(sums[MetricSums::kLossSum].item<double>(), bce, 1e-12);
  EXPECT_EQ(sums[MetricSums::kElements].item<double>(), 2);
  EXPECT_NEAR(sums[MetricSums::kIntersection].item<double>(), 0.8, 1e-12);
  EXPECT_NEAR(sums[MetricSums::kPredictionSum].item<double>(), 1.05, 1e-12);
  EXPECT_EQ(sums[MetricSums::kTargetSum].item<double>(), 1);
  const auto m = summarize(sums);
  EXPECT_NEAR(m.loss, bce / 2, 1e-12);
  EXPECT_NEAR(m.dice, (2 * 0.8 + 1) / (1.05 + 1 + 1), 1e-12);
  // Thresholded: predicted {0}, truth {0}: a perfect pair.
  EXPECT_DOUBLE_EQ(m.kaggle_dice, 1.0);
}

TEST(Metrics, SumsOfBatchesEqualTheWholeSetWhateverTheSplit) {
  torch::manual_seed(3);
  auto logits = torch::randn({6, 4, 8, 8}, torch::kFloat64) * 3;
  auto targets = (torch::rand({6, 4, 8, 8}, torch::kFloat64) > 0.7).to(torch::kFloat64);
  auto whole = batch_metric_sums(logits, targets);
  // Uneven batches (4 + 2) must give exactly the same epoch numbers: sums, not means of batch means.
  auto parts = batch_metric_sums(logits.slice(0, 0, 4), targets.slice(0, 0, 4)) +
               batch_metric_sums(logits.slice(0, 4, 6), targets.slice(0, 4, 6));
  EXPECT_TRUE(torch::allclose(whole, parts, 1e-12, 1e-9));
  const auto a = summarize(whole);
  const auto b = summarize(parts);
  EXPECT_NEAR(a.loss, b.loss, 1e-12);
  EXPECT_NEAR(a.dice, b.dice, 1e-12);
  EXPECT_NEAR(a.kaggle_dice, b.kaggle_dice, 1e-12);
  // And the loss equals LibTorch's mean BCE over the whole set.
  EXPECT_NEAR(a.loss, torch::binary_cross_entropy_with_logits(logits, targets).item<double>(), 1e-12);
}

TEST(Metrics, FloatLogitsAreAccepted) {
  auto sums = batch_metric_sums(torch::zeros({1, 4, 2, 2}), torch::ones({1, 4, 2, 2}));
  EXPECT_EQ(sums.dtype(), torch::kFloat64);
  EXPECT_NEAR(summarize(sums).loss, std::log(2.0), 1e-12);
}

TEST(Metrics, EmptySumsAreRejected) { EXPECT_THROW(summarize(MetricSums::zeros()), std::invalid_argument); }
