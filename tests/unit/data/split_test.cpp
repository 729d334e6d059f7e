#include "steel/data/split.h"

#include <map>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steel/core/error.h"

namespace steel::data {
namespace {

using ::testing::HasSubstr;

// A pool shaped like the real data, scaled down: class 3 dominant, class 2 rare, some multi.
std::vector<SourceLabels> make_sources(int n1, int n2, int n3, int n4, int multi) {
  std::vector<SourceLabels> out;
  auto add = [&](int count, std::array<bool, 4> present) {
    for (int i = 0; i < count; ++i) out.push_back({"img" + std::to_string(out.size()) + ".jpg", present});
  };
  add(n1, {true, false, false, false});
  add(n2, {false, true, false, false});
  add(n3, {false, false, true, false});
  add(n4, {false, false, false, true});
  add(multi / 2, {true, false, true, false});
  add(multi - multi / 2, {false, false, true, true});
  return out;
}

std::vector<SourceLabels> make_clean(int n) {
  std::vector<SourceLabels> out;
  for (int i = 0; i < n; ++i) out.push_back({"clean" + std::to_string(i) + ".jpg", {}});
  return out;
}

SplitOptions small_options() {
  SplitOptions o;
  o.test_per_class = 5;
  o.test_multi = 4;
  o.balance_to = "60";
  o.folds = 5;
  o.seed = 7;
  return o;
}

TEST(Split, TestSetHasTheRequestedComposition) {
  const auto sources = make_sources(60, 25, 300, 50, 20);
  const SplitPlan plan = plan_split(sources, {}, small_options());
  std::array<int, 4> singles{};
  int multi = 0;
  for (const auto& r : plan.records) {
    if (r.fold != -1) continue;
    EXPECT_EQ(r.augmentation, 0);
    const auto& s = sources[r.source];
    if (s.num_present() > 1) ++multi;
    else for (int c = 0; c < 4; ++c) singles[c] += s.present[c];
  }
  EXPECT_EQ(singles, (std::array<int, 4>{5, 5, 5, 5}));
  EXPECT_EQ(multi, 4);
}

TEST(Split, FoldsAreDisjointGroupedBalancedAndStratified) {
  const auto sources = make_sources(60, 25, 300, 50, 20);
  const SplitPlan plan = plan_split(sources, {}, small_options());
  std::map<int64_t, std::set<int>> folds_of_source;
  std::array<std::array<int64_t, 4>, 5> per_fold{};
  std::array<int64_t, 4> per_class{};
  std::set<std::pair<int64_t, int>> seen;
  for (const auto& r : plan.records) {
    EXPECT_TRUE(seen.insert({r.source, r.augmentation}).second) << "duplicate record";
    folds_of_source[r.source].insert(r.fold);
    if (r.fold < 0) continue;
    for (int c = 0; c < 4; ++c) {
      per_fold[r.fold][c] += sources[r.source].present[c];
      per_class[c] += sources[r.source].present[c];
    }
  }
  // Grouped: a source and all its augmented copies sit in exactly one split (so also test vs folds).
  for (const auto& [source, folds] : folds_of_source) EXPECT_EQ(folds.size(), 1u) << "source " << source;
  // Balanced: every class reaches the target (multi-defect images can push one above it).
  for (int c = 0; c < 4; ++c) EXPECT_GE(per_class[c], 60) << "class " << c + 1;
  EXPECT_EQ(per_class[1], 60);
  EXPECT_EQ(plan.after_balance, per_class);
  // Stratified: each class is spread evenly, within a group's size of the ideal share.
  for (int c = 0; c < 4; ++c) {
    for (int f = 0; f < 5; ++f) {
      EXPECT_NEAR(per_fold[f][c], per_class[c] / 5.0, 10.5) << "class " << c + 1 << " fold " << f;
    }
  }
}

TEST(Split, MajorityClassIsSubsampledMinorityAugmented) {
  const auto sources = make_sources(60, 25, 300, 50, 20);
  const SplitPlan plan = plan_split(sources, {}, small_options());
  EXPECT_GT(plan.before_balance[2], 200);
  int64_t class3_single = 0, class2_copies = 0;
  for (const auto& r : plan.records) {
    if (r.fold < 0) continue;
    const auto& s = sources[r.source];
    class3_single += (s.num_present() == 1 && s.present[2]) ? 1 : 0;
    class2_copies += (s.present[1] && r.augmentation > 0) ? 1 : 0;
  }
  EXPECT_LT(class3_single, 60);
  EXPECT_EQ(class2_copies, 60 - 20);  // 25 class-2 images minus 5 for test, topped up to 60
}

TEST(Split, SameSeedSamePlanOtherSeedOtherPlan) {
  const auto sources = make_sources(60, 25, 300, 50, 20);
  const auto a = plan_split(sources, {}, small_options());
  const auto b = plan_split(sources, {}, small_options());
  ASSERT_EQ(a.records.size(), b.records.size());
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].source, b.records[i].source);
    EXPECT_EQ(a.records[i].fold, b.records[i].fold);
  }
  auto other = small_options();
  other.seed = 8;
  const auto c = plan_split(sources, {}, other);
  bool differs = c.records.size() != a.records.size();
  for (std::size_t i = 0; !differs && i < a.records.size(); ++i) differs = a.records[i].source != c.records[i].source;
  EXPECT_TRUE(differs);
}

TEST(Split, IncludeCleanAddsDefectFreeImagesToFoldsOnly) {
  const auto sources = make_sources(60, 25, 300, 50, 20);
  auto o = small_options();
  o.include_clean = 10;
  const SplitPlan plan = plan_split(sources, make_clean(30), o);
  int clean = 0;
  for (const auto& r : plan.records) {
    if (r.source >= static_cast<int64_t>(sources.size())) {
      ++clean;
      EXPECT_GE(r.fold, 0);
      EXPECT_EQ(r.augmentation, 0);
    }
  }
  EXPECT_EQ(clean, 10);
}

TEST(Split, TooSmallForTheDefaultsSaysSoInOneLine) {
  const auto sources = make_sources(10, 4, 30, 8, 3);
  try {
    plan_split(sources, {}, SplitOptions{});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("--test-per-class 50"));
    EXPECT_THAT(std::string(e.what()), ::testing::Not(HasSubstr("\n")));
  }
  auto o = small_options();
  o.test_per_class = 1;
  o.test_multi = 1;
  o.balance_to = "1291";
  try {
    plan_split(sources, {}, o);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("--balance-to 1291 cannot be reached"));
  }
  o.balance_to = "auto";
  EXPECT_NO_THROW(plan_split(sources, {}, o));
  o.balance_to = "lots";
  EXPECT_THROW(plan_split(sources, {}, o), ConfigError);
}

TEST(Split, NoBalancingKeepsEveryImageOnce) {
  const auto sources = make_sources(60, 25, 300, 50, 20);
  auto o = small_options();
  o.balance_to = "none";
  const SplitPlan plan = plan_split(sources, {}, o);
  EXPECT_EQ(plan.records.size(), sources.size());
  for (const auto& r : plan.records) EXPECT_EQ(r.augmentation, 0);
}

}  // namespace
}  // namespace steel::data
