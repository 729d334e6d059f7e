#include "steel/train/metrics.h"

#include <stdexcept>

namespace steel::train {

torch::Tensor MetricSums::zeros() { return torch::zeros({kCount}, torch::kFloat64); }

torch::Tensor kaggle_dice_per_pair(const torch::Tensor& probabilities, const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  // Strictly above 0.5, the rule of steel_eval's labels and steel_predict's masks (and of the Kaggle kernels'
  // `pred > 0.5`), so the reported Kaggle Dice is the Dice of the masks a submission would contain.
  auto predicted = probabilities.gt(0.5).to(torch::kFloat64);
  auto truth = targets.to(torch::kFloat64);
  auto intersection = (predicted * truth).sum({2, 3});
  auto total = predicted.sum({2, 3}) + truth.sum({2, 3});
  // Both empty: the competition scores a correct "no defect" as a perfect 1.
  return torch::where(total.eq(0), torch::ones_like(total), 2.0 * intersection / total.clamp_min(1.0));
}

torch::Tensor batch_metric_sums(const torch::Tensor& logits, const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  TORCH_CHECK(logits.sizes() == targets.sizes(), "batch_metric_sums: logits ", logits.sizes(), " vs targets ",
              targets.sizes());
  TORCH_CHECK(logits.dim() == 4, "batch_metric_sums: expected [N,C,H,W], got ", logits.sizes());
  auto x = logits.to(torch::kFloat64);
  auto y = targets.to(torch::kFloat64);
  auto p = torch::sigmoid(x);
  auto bce = torch::binary_cross_entropy_with_logits(x, y, {}, {}, at::Reduction::Sum);
  auto pairs = kaggle_dice_per_pair(p, y);
  auto sums = torch::stack({bce, torch::scalar_tensor(static_cast<double>(y.numel()), y.options()), (p * y).sum(),
                            p.sum(), y.sum(), pairs.sum(),
                            torch::scalar_tensor(static_cast<double>(pairs.numel()), y.options())});
  // Stays on the device: the epoch loop adds it up there and synchronises once per epoch, not per step.
  return sums;
}

MetricSummary summarize(const torch::Tensor& sums) {
  auto s = sums.to(torch::kCPU, torch::kFloat64).contiguous();
  const double* v = s.data_ptr<double>();
  if (v[MetricSums::kElements] <= 0 || v[MetricSums::kKagglePairs] <= 0) {
    throw std::invalid_argument("summarize: no records were counted");
  }
  MetricSummary m;
  m.loss = v[MetricSums::kLossSum] / v[MetricSums::kElements];
  m.dice = (2.0 * v[MetricSums::kIntersection] + kDiceSmooth) /
           (v[MetricSums::kPredictionSum] + v[MetricSums::kTargetSum] + kDiceSmooth);
  m.kaggle_dice = v[MetricSums::kKaggleDiceSum] / v[MetricSums::kKagglePairs];
  return m;
}

}  // namespace steel::train
