// Image-level defect labels from predicted masks, and the thesis's Figure 57 scores built from them.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "steel/data/train_csv.h"

namespace steel::eval {

struct LabelRule {
  double threshold = 0.5;  ///< a pixel is predicted defective when its probability is strictly above this
  int64_t min_pixels = 200;  ///< a class is predicted present when more than this many pixels are
};

/// The pixel rule every prediction here goes through: probabilities (any shape) -> bool, true where
/// p > threshold. Strictly above, as the Severstal Kaggle kernels the thesis follows wrote it
/// (`pred > 0.5`): a probability of exactly 0.5 is no defect.
torch::Tensor defective_pixels(const torch::Tensor& probabilities, double threshold);

/// probabilities [N,C,H,W] -> [N,C] bool: class c predicted present in image n (the thesis's rule).
torch::Tensor predicted_labels(const torch::Tensor& probabilities, const LabelRule& rule);

/// probabilities [C,H,W] and present [C] bool -> [H,W] uint8 class bitfield (bit c = class c+1) of the pixels
/// above `threshold`, for the classes marked present only. steel_predict decides `present` at the model's
/// resolution and applies it to probabilities upsampled to the image's own size.
torch::Tensor class_bitfield(const torch::Tensor& probabilities, const torch::Tensor& present, double threshold);

/// One picture's predicted mask as its labels see it: probabilities [C,H,W] -> [H,W] uint8 class bitfield, with
/// every class that predicted_labels calls absent left empty, so that a picture never shows a class the
/// labels (and steel_predict's submission) leave out.
torch::Tensor predicted_mask_for_picture(const torch::Tensor& probabilities, const LabelRule& rule);

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
