// The training metrics of the thesis (BCE loss, Keras Dice) and of the Kaggle competition, as additive sums.
#pragma once

#include <torch/torch.h>

namespace steel::train {

/// Metrics are accumulated as sums (not averages of batch averages) so that every record counts exactly once,
/// whatever the batch size or the number of ranks: the sums of all batches on all ranks, added up, give the
/// epoch's numbers. The sums live in one float64 tensor so that ranks combine them with one all-reduce.
struct MetricSums {
  enum Index : int64_t {
    kLossSum = 0,      ///< sum of per-element BCE
    kElements,         ///< number of mask elements (records * classes * pixels)
    kIntersection,     ///< sum(p * y) over sigmoid outputs p and targets y
    kPredictionSum,    ///< sum(p)
    kTargetSum,        ///< sum(y)
    kKaggleDiceSum,    ///< sum over (record, class) of the thresholded Dice
    kKagglePairs,      ///< number of (record, class) pairs
    kCount
  };

  /// A zero float64 [kCount] tensor.
  static torch::Tensor zeros();
};

/// The sums for one batch: logits [N,C,H,W] (any floating type) against targets [N,C,H,W] in {0,1}.
/// Computed without autograd, in float64.
torch::Tensor batch_metric_sums(const torch::Tensor& logits, const torch::Tensor& targets);

/// Kaggle's per-(image, class) Dice on masks of the pixels with p > 0.5: 2|X∩Y|/(|X|+|Y|), and 1 when both are
/// empty.
/// probabilities [N,C,H,W] -> [N,C] float64.
torch::Tensor kaggle_dice_per_pair(const torch::Tensor& probabilities, const torch::Tensor& targets);

/// Epoch-level numbers derived from summed MetricSums.
struct MetricSummary {
  double loss = 0;         ///< mean binary cross entropy per element
  double dice = 0;         ///< Keras' dice_coef over everything: (2*sum(p*y) + 1) / (sum(p) + sum(y) + 1)
  double kaggle_dice = 0;  ///< mean over (record, class) pairs
};

/// Throws std::invalid_argument when `sums` holds no elements.
MetricSummary summarize(const torch::Tensor& sums);

/// The smoothing term of the Keras dice_coef the thesis (and the Severstal kernels it follows) used.
constexpr double kDiceSmooth = 1.0;

}  // namespace steel::train
