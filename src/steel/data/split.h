// Planning a prepared dataset: the held-out test set, class balancing by augmentation and
// subsampling, and the stratified, grouped K-fold split. Works on labels only, no pixels.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "steel/data/train_csv.h"

namespace steel::data {

/// A source image as the planner sees it: which classes it has.
struct SourceLabels {
  std::string image_id;
  std::array<bool, kNumClasses> present{};
  int num_present() const;
};

/// One output record: a source image, the augmentation applied to it and where it goes.
struct PlannedRecord {
  int64_t source = 0;      ///< index into the planner's sources
  int augmentation = 0;    ///< index into augmentations(); 0 is the unaugmented image
  int fold = -1;           ///< -1 for the test set
};

struct SplitOptions {
  int test_per_class = 50;          ///< single-defect test images per class
  int test_multi = 50;              ///< multi-defect test images
  std::string balance_to = "1291";  ///< a count, "auto" (median class count) or "none"
  int64_t include_clean = 0;        ///< defect-free images added to the folds
  int folds = 5;
  uint64_t seed = 1;
};

/// Counts of records per class, for the summary.
using ClassCounts = std::array<int64_t, kNumClasses>;

struct SplitPlan {
  std::vector<PlannedRecord> records;  ///< sorted by (fold, source, augmentation); test first
  int64_t balance_target = 0;          ///< resolved N (0 when balancing is off)
  ClassCounts before_balance{};        ///< per-class images in the pool before balancing
  ClassCounts after_balance{};
  std::vector<std::string> notes;      ///< warnings worth repeating in the summary
};

/// Plans the dataset. `defect_sources` have at least one class; `clean_sources` none. Throws
/// ConfigError in one clear line when the data is too small for an option (e.g. the default
/// test set on a small synthetic set), naming the option and what would fit.
SplitPlan plan_split(const std::vector<SourceLabels>& defect_sources,
                     const std::vector<SourceLabels>& clean_sources, const SplitOptions& options);

}  // namespace steel::data
