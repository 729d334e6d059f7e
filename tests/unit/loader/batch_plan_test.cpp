#include "steel/loader/batch_plan.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

using steel::loader::eval_batches;
using steel::loader::local_batch_size;
using steel::loader::TrainBatchPlan;

TEST(TrainBatchPlan, IsAPermutationThatDependsOnSeedAndEpochOnly) {
  const TrainBatchPlan a(100, 16, 7, 0);
  const TrainBatchPlan b(100, 16, 7, 0);
  const TrainBatchPlan c(100, 16, 7, 1);
  const TrainBatchPlan d(100, 16, 8, 0);
  EXPECT_EQ(a.order(), b.order());
  EXPECT_NE(a.order(), c.order());
  EXPECT_NE(a.order(), d.order());
  auto sorted = a.order();
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 100; ++i) EXPECT_EQ(sorted[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(a.batches(), 6);  // 100 / 16, the trailing 4 dropped
}

TEST(TrainBatchPlan, RankSlicesReassembleTheGlobalBatchForAnyWorldSize) {
  const TrainBatchPlan plan(203, 16, 11, 3);
  for (int world : {1, 2, 4, 8, 16}) {
    for (int64_t b = 0; b < plan.batches(); ++b) {
      std::vector<int64_t> joined;
      for (int r = 0; r < world; ++r) {
        auto part = plan.local_batch_records(b, r, world);
        EXPECT_EQ(part.size(), static_cast<std::size_t>(16 / world));
        joined.insert(joined.end(), part.begin(), part.end());
      }
      EXPECT_EQ(joined, plan.global_batch_records(b)) << "world " << world << " batch " << b;
    }
  }
}

TEST(TrainBatchPlan, RejectsAWorldThatDoesNotDivideTheBatch) {
  const TrainBatchPlan plan(64, 16, 1, 0);
  EXPECT_THROW(plan.local_batch_records(0, 0, 3), c10::Error);
}

TEST(LocalBatchSize, IsAnEqualShareOrNothing) {
  EXPECT_EQ(local_batch_size(16, 4), std::optional<int64_t>(4));
  EXPECT_EQ(local_batch_size(16, 1), std::optional<int64_t>(16));
  EXPECT_EQ(local_batch_size(16, 3), std::nullopt) << "3 ranks cannot share 16 records equally";
  EXPECT_EQ(local_batch_size(16, 0), std::nullopt);
  EXPECT_EQ(local_batch_size(0, 2), std::nullopt);
}

TEST(EvalBatches, EveryRecordExactlyOnceAcrossRanks) {
  for (int world : {1, 2, 3, 5}) {
    std::multiset<int64_t> seen;
    for (int r = 0; r < world; ++r) {
      for (const auto& batch : eval_batches(23, 4, r, world)) {
        EXPECT_LE(batch.size(), 4u);
        seen.insert(batch.begin(), batch.end());
      }
    }
    ASSERT_EQ(seen.size(), 23u) << "world " << world;
    for (int64_t i = 0; i < 23; ++i) EXPECT_EQ(seen.count(i), 1u);
  }
}
