// Image-level defect labels from predicted masks, and the thesis's Figure 57 scores built from them.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "steel/data/train_csv.h"

namespace steel::eval {

struct LabelRule {
  double threshold = 0.5;  ///< a pixel is predicted defective when its probability is above this
  int64_t min_pixels = 200;  ///< a class is predicted present when more than this many pixels are
};

/// probabilities [N,C,H,W] -> [N,C] bool: class c predicted present in image n (the thesis's rule).
torch::Tensor predicted_labels(const torch::Tensor& probabilities, const LabelRule& rule);
/// targets [N,C,H,W] in {0,1} -> [N,C] bool: class c present anywhere in the ground truth.
torch::Tensor true_labels(const torch::Tensor& targets);

/// Additive counts over images, as sklearn's accuracy_score and multilabel_confusion_matrix see them.
struct ClassificationCounts {
  /// Per class: [TN, FP, FN, TP], the order the thesis prints.
  std::array<std::array<int64_t, 4>, data::kNumClasses> confusion{};
  int64_t images = 0;
  int64_t exact_matches = 0;  ///< images whose whole 4-label vector is right

  void add(const torch::Tensor& predicted, const torch::Tensor& truth);
  ClassificationCounts& operator+=(const ClassificationCounts& other);

  /// accuracy_score on the multilabel input: exact-match ratio over images.
  double image_accuracy() const;
  /// Accuracy over every (image, class) decision (the thesis's "250 * 4 = 1000 records").
  double decision_accuracy() const;
  /// (TN + TP) / images for class index c (0-based).
  double class_accuracy(int c) const;
};

}  // namespace steel::eval
