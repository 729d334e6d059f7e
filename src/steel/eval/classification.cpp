#include "steel/eval/classification.h"

#include <stdexcept>

#include "steel/data/record_encoding.h"

namespace steel::eval {

torch::Tensor defective_pixels(const torch::Tensor& probabilities, double threshold) {
  return probabilities.gt(threshold);
}

torch::Tensor predicted_labels(const torch::Tensor& probabilities, const LabelRule& rule) {
  torch::NoGradGuard no_grad;
  TORCH_CHECK(probabilities.dim() == 4, "predicted_labels: expected [N,C,H,W], got ", probabilities.sizes());
  return defective_pixels(probabilities, rule.threshold).sum({2, 3}).gt(rule.min_pixels).cpu();
}

torch::Tensor class_bitfield(const torch::Tensor& probabilities, const torch::Tensor& present, double threshold) {
  torch::NoGradGuard no_grad;
  // A uint8 bitfield holds at most 8 classes.
  TORCH_CHECK(probabilities.dim() == 3 && probabilities.size(0) <= 8,
              "class_bitfield: expected [C,H,W] with C <= 8, got ", probabilities.sizes());
  TORCH_CHECK(present.dim() == 1 && present.size(0) == probabilities.size(0), "class_bitfield: present ",
              present.sizes(), " does not match ", probabilities.size(0), " classes");
  const auto keep = present.to(torch::kBool).cpu().contiguous();
  const bool* kept = keep.data_ptr<bool>();
  auto bits = torch::zeros({probabilities.size(1), probabilities.size(2)},
                           torch::TensorOptions().dtype(torch::kUInt8).device(probabilities.device()));
  for (int64_t c = 0; c < probabilities.size(0); ++c) {
    if (!kept[c]) continue;
    bits.bitwise_or_(defective_pixels(probabilities[c], threshold).to(torch::kUInt8) * static_cast<int64_t>(data::class_bit(static_cast<int>(c))));
  }
  return bits;
}

torch::Tensor predicted_mask_for_picture(const torch::Tensor& probabilities, const LabelRule& rule) {
  TORCH_CHECK(probabilities.dim() == 3, "predicted_mask_for_picture: expected [C,H,W], got ", probabilities.sizes());
  return class_bitfield(probabilities, predicted_labels(probabilities.unsqueeze(0), rule)[0], rule.threshold);
}

torch::Tensor true_labels(const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  TORCH_CHECK(targets.dim() == 4, "true_labels: expected [N,C,H,W], got ", targets.sizes());
  return targets.gt(0.5).any(3).any(2).cpu();
}

void ClassificationCounts::add(const torch::Tensor& predicted, const torch::Tensor& truth) {
  TORCH_CHECK(predicted.sizes() == truth.sizes() && predicted.dim() == 2 && predicted.size(1) == data::kNumClasses,
              "ClassificationCounts::add: expected two [N,4] label tensors, got ", predicted.sizes(), " and ",
              truth.sizes());
  auto p = predicted.to(torch::kBool).cpu().contiguous();
  auto t = truth.to(torch::kBool).cpu().contiguous();
  const bool* pp = p.data_ptr<bool>();
  const bool* tp = t.data_ptr<bool>();
  for (int64_t n = 0; n < p.size(0); ++n) {
    bool all_right = true;
    for (int c = 0; c < data::kNumClasses; ++c) {
      const bool pred = pp[n * data::kNumClasses + c];
      const bool real = tp[n * data::kNumClasses + c];
      // index: 0 TN, 1 FP, 2 FN, 3 TP
      ++confusion[static_cast<std::size_t>(c)][static_cast<std::size_t>((real ? 2 : 0) + (pred ? 1 : 0))];
      all_right = all_right && pred == real;
    }
    ++images;
    exact_matches += all_right ? 1 : 0;
  }
}

ClassificationCounts& ClassificationCounts::operator+=(const ClassificationCounts& other) {
  for (std::size_t c = 0; c < confusion.size(); ++c) {
    for (std::size_t k = 0; k < 4; ++k) confusion[c][k] += other.confusion[c][k];
  }
  images += other.images;
  exact_matches += other.exact_matches;
  return *this;
}

double ClassificationCounts::image_accuracy() const {
  if (images == 0) throw std::invalid_argument("ClassificationCounts: no images");
  return static_cast<double>(exact_matches) / static_cast<double>(images);
}

double ClassificationCounts::decision_accuracy() const {
  if (images == 0) throw std::invalid_argument("ClassificationCounts: no images");
  int64_t right = 0;
  for (const auto& m : confusion) right += m[0] + m[3];
  return static_cast<double>(right) / static_cast<double>(images * data::kNumClasses);
}

double ClassificationCounts::class_accuracy(int c) const {
  if (images == 0) throw std::invalid_argument("ClassificationCounts: no images");
  const auto& m = confusion.at(static_cast<std::size_t>(c));
  return static_cast<double>(m[0] + m[3]) / static_cast<double>(images);
}

}  // namespace steel::eval
