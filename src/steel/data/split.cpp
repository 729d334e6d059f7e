#include "steel/data/split.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "steel/core/error.h"
#include "steel/core/seeded_random.h"
#include "steel/data/augment.h"

namespace steel::data {
namespace {

std::string class_name(int c) { return "class " + std::to_string(c + 1); }

ClassCounts count_images(const std::vector<SourceLabels>& all, const std::vector<int64_t>& chosen,
                         const std::vector<int>* copies = nullptr) {
  ClassCounts counts{};
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    const int weight = copies != nullptr ? (*copies)[k] : 1;
    for (int c = 0; c < kNumClasses; ++c) counts[c] += all[chosen[k]].present[c] ? weight : 0;
  }
  return counts;
}

}  // namespace

int SourceLabels::num_present() const {
  return static_cast<int>(std::count(present.begin(), present.end(), true));
}

SplitPlan plan_split(const std::vector<SourceLabels>& defect_sources, const std::vector<SourceLabels>& clean_sources,
                     const SplitOptions& options) {
  if (options.folds < 2) throw ConfigError("--folds must be at least 2, got " + std::to_string(options.folds));
  if (options.test_per_class < 0 || options.test_multi < 0) throw ConfigError("--test-per-class and --test-multi must be >= 0");
  std::mt19937_64 rng(options.seed);
  SplitPlan plan;

  // All sources in one index space: defect images first, then clean ones.
  std::vector<SourceLabels> all = defect_sources;
  all.insert(all.end(), clean_sources.begin(), clean_sources.end());
  std::vector<int64_t> order(defect_sources.size());
  std::iota(order.begin(), order.end(), 0);
  seeded_shuffle(order, rng);

  // 1. Held-out test set: single-defect images per class, then multi-defect images.
  std::vector<bool> in_test(all.size(), false);
  std::vector<int64_t> test;
  for (int c = 0; c < kNumClasses; ++c) {
    int taken = 0, available = 0;
    for (int64_t s : order) available += (all[s].num_present() == 1 && all[s].present[c]) ? 1 : 0;
    if (available < options.test_per_class) {
      throw ConfigError("--test-per-class " + std::to_string(options.test_per_class) + " needs that many single-defect images of " +
                        class_name(c) + ", the data has " + std::to_string(available) +
                        "; pass a smaller --test-per-class (e.g. " + std::to_string(available / 4) + ")");
    }
    for (int64_t s : order) {
      if (taken == options.test_per_class) break;
      if (all[s].num_present() == 1 && all[s].present[c]) in_test[s] = true, test.push_back(s), ++taken;
    }
  }
  int multi_available = 0;
  for (int64_t s : order) multi_available += all[s].num_present() > 1 ? 1 : 0;
  if (multi_available < options.test_multi) {
    throw ConfigError("--test-multi " + std::to_string(options.test_multi) + " needs that many multi-defect images, the data has " +
                      std::to_string(multi_available) + "; pass a smaller --test-multi (e.g. " +
                      std::to_string(multi_available / 4) + ")");
  }
  for (int64_t s : order) {
    if (static_cast<int64_t>(std::count_if(test.begin(), test.end(), [&](int64_t t) { return all[t].num_present() > 1; })) ==
        options.test_multi) break;
    if (all[s].num_present() > 1) in_test[s] = true, test.push_back(s);
  }

  // 2. The training pool and its balancing. copies[k] counts records of pool[k] (original included).
  std::vector<int64_t> pool;
  for (int64_t s : order) if (!in_test[s]) pool.push_back(s);
  plan.before_balance = count_images(all, pool);

  int64_t target = 0;
  if (options.balance_to == "none") {
    target = 0;
  } else if (options.balance_to == "auto") {
    ClassCounts sorted = plan.before_balance;
    std::sort(sorted.begin(), sorted.end());
    target = (sorted[1] + sorted[2]) / 2;  // the median of the four class counts
  } else {
    try {
      std::size_t used = 0;
      target = std::stoll(options.balance_to, &used);
      if (used != options.balance_to.size() || target < 1) throw std::invalid_argument("");
    } catch (const std::exception&) {
      throw ConfigError("--balance-to '" + options.balance_to + "' is not a positive count, 'auto' or 'none'");
    }
  }
  plan.balance_target = target;
  std::vector<int> copies(pool.size(), 1);
  std::vector<bool> dropped(pool.size(), false);
  if (target > 0) {
    // Majority classes: drop images whose only class is that class.
    ClassCounts counts = count_images(all, pool);
    for (int c = 0; c < kNumClasses; ++c) {
      for (std::size_t k = 0; k < pool.size() && counts[c] > target; ++k) {
        const auto& src = all[pool[k]];
        if (src.num_present() == 1 && src.present[c]) dropped[k] = true, --counts[c];
      }
      if (counts[c] > target) {
        plan.notes.push_back(class_name(c) + " stays at " + std::to_string(counts[c]) + " > " + std::to_string(target) +
                             ": the rest of its images also carry other classes");
      }
    }
    // Minority classes, smallest first: add augmented copies, single-class sources before
    // multi-class ones (their copies would also inflate the other class).
    const int max_copies = static_cast<int>(augmentations().size());
    std::array<int, kNumClasses> classes{0, 1, 2, 3};
    std::sort(classes.begin(), classes.end(), [&](int a, int b) { return counts[a] < counts[b]; });
    for (int c : classes) {
      if (counts[c] >= target) continue;
      std::vector<std::size_t> sources;
      for (std::size_t k = 0; k < pool.size(); ++k)
        if (!dropped[k] && all[pool[k]].present[c] && all[pool[k]].num_present() == 1) sources.push_back(k);
      for (std::size_t k = 0; k < pool.size(); ++k)
        if (!dropped[k] && all[pool[k]].present[c] && all[pool[k]].num_present() > 1) sources.push_back(k);
      if (sources.empty()) throw ConfigError("--balance-to " + std::to_string(target) + ": " + class_name(c) + " has no training images");
      bool progress = true;
      while (counts[c] < target && progress) {
        progress = false;
        for (std::size_t k : sources) {
          if (counts[c] >= target) break;
          if (copies[k] >= max_copies) continue;
          ++copies[k];
          progress = true;
          for (int o = 0; o < kNumClasses; ++o) counts[o] += all[pool[k]].present[o] ? 1 : 0;
        }
      }
      if (counts[c] < target) {
        throw ConfigError("--balance-to " + std::to_string(target) + " cannot be reached: " + class_name(c) + " has " +
                          std::to_string(sources.size()) + " training images and at most " + std::to_string(max_copies) +
                          " variants of each (" + std::to_string(counts[c]) + " records); pass --balance-to auto, none or at most " +
                          std::to_string(counts[c]));
      }
    }
  }
  {
    std::vector<int64_t> kept;
    std::vector<int> kept_copies;
    for (std::size_t k = 0; k < pool.size(); ++k)
      if (!dropped[k]) kept.push_back(pool[k]), kept_copies.push_back(copies[k]);
    pool = std::move(kept);
    copies = std::move(kept_copies);
  }
  plan.after_balance = count_images(all, pool, &copies);

  // 3. Defect-free images, if asked for.
  if (options.include_clean > static_cast<int64_t>(clean_sources.size())) {
    throw ConfigError("--include-clean " + std::to_string(options.include_clean) + " asks for more defect-free images than the data has (" +
                      std::to_string(clean_sources.size()) + ")");
  }
  {
    std::vector<int64_t> clean(clean_sources.size());
    std::iota(clean.begin(), clean.end(), static_cast<int64_t>(defect_sources.size()));
    seeded_shuffle(clean, rng);
    for (int64_t k = 0; k < options.include_clean; ++k) pool.push_back(clean[k]), copies.push_back(1);
  }

  // 4. Stratified grouped K-fold: a source and all its copies form one group. Groups go, largest
  // first, to the fold where they add least to the already-assigned share of each class they
  // carry (ties: fewest records), which keeps every class spread evenly over the folds.
  constexpr int kStrata = kNumClasses + 1;  // the four classes plus "defect-free"
  std::array<double, kStrata> totals{};
  std::vector<std::array<double, kStrata>> group_counts(pool.size());
  for (std::size_t k = 0; k < pool.size(); ++k) {
    const auto& src = all[pool[k]];
    for (int c = 0; c < kNumClasses; ++c) group_counts[k][c] = src.present[c] ? copies[k] : 0;
    group_counts[k][kNumClasses] = src.num_present() == 0 ? copies[k] : 0;
    for (int c = 0; c < kStrata; ++c) totals[c] += group_counts[k][c];
  }
  std::vector<std::size_t> groups(pool.size());
  std::iota(groups.begin(), groups.end(), 0);
  std::stable_sort(groups.begin(), groups.end(), [&](std::size_t a, std::size_t b) { return copies[a] > copies[b]; });
  std::vector<std::array<double, kStrata>> fold_counts(options.folds, std::array<double, kStrata>{});
  std::vector<int64_t> fold_records(options.folds, 0);
  std::vector<int> fold_of(pool.size(), 0);
  for (std::size_t g : groups) {
    int best = 0;
    double best_cost = 0;
    for (int f = 0; f < options.folds; ++f) {
      double cost = 0;
      for (int c = 0; c < kStrata; ++c) {
        if (group_counts[g][c] > 0) cost += (fold_counts[f][c] + group_counts[g][c]) / totals[c];
      }
      if (f == 0 || cost < best_cost - 1e-12 ||
          (cost < best_cost + 1e-12 && fold_records[f] < fold_records[best])) {
        best = f;
        best_cost = cost;
      }
    }
    fold_of[g] = best;
    for (int c = 0; c < kStrata; ++c) fold_counts[best][c] += group_counts[g][c];
    fold_records[best] += copies[g];
  }
  for (int f = 0; f < options.folds; ++f) {
    if (fold_records[f] == 0) {
      throw ConfigError("--folds " + std::to_string(options.folds) + " leaves fold " + std::to_string(f) +
                        " empty: there are only " + std::to_string(pool.size()) + " training images");
    }
  }

  for (int64_t s : test) plan.records.push_back({s, 0, -1});
  for (std::size_t k = 0; k < pool.size(); ++k) {
    for (int a = 0; a < copies[k]; ++a) plan.records.push_back({pool[k], a, fold_of[k]});
  }
  std::sort(plan.records.begin(), plan.records.end(), [](const PlannedRecord& a, const PlannedRecord& b) {
    if (a.fold != b.fold) return a.fold < b.fold;
    if (a.source != b.source) return a.source < b.source;
    return a.augmentation < b.augmentation;
  });
  return plan;
}

}  // namespace steel::data
