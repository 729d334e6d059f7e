// Group's collectives between real processes: values, coalescing, the collective counter, strings.
#include <gtest/gtest.h>

#include "steel/dist/rank_table.h"
#include "mpi/dist_test_group.h"

namespace steel::dist {
namespace {

TEST(Group, AllReduceSumCoalescesPerDtype) {
  auto group = test::test_group();
  const int r = group->rank(), n = group->size();
  std::vector<torch::Tensor> tensors{
      torch::full({2, 3}, r + 1.0),
      torch::arange(5, torch::kFloat32) * (r + 1),
      torch::full({4}, int64_t{r}, torch::kInt64),
      torch::ones({3, 2}).t() * (r + 1),  // non-contiguous
  };
  const int64_t before = group->collective_calls();
  group->all_reduce_sum(tensors);
  const double sum_r1 = n * (n + 1) / 2.0;  // sum over ranks of (r + 1)
  EXPECT_TRUE(torch::allclose(tensors[0], torch::full({2, 3}, sum_r1)));
  EXPECT_TRUE(torch::allclose(tensors[1], torch::arange(5, torch::kFloat32) * sum_r1));
  EXPECT_TRUE(torch::equal(tensors[2], torch::full({4}, int64_t{n * (n - 1) / 2}, torch::kInt64)));
  EXPECT_TRUE(torch::allclose(tensors[3], torch::full({2, 3}, sum_r1)));
  // Two dtypes: two collectives, however many tensors.
  EXPECT_EQ(group->collective_calls() - before, n == 1 ? 0 : 2);
}

TEST(Group, CollectiveTimesAreKeptPerPurpose) {
  auto group = test::test_group();
  const auto before = group->collective_times();
  std::vector<torch::Tensor> t{torch::ones({3})};
  group->all_reduce_sum(t, "test_purpose_a");
  group->all_reduce_sum(t, "test_purpose_a");
  group->all_reduce_sum(t, "test_purpose_b");
  group->barrier();
  const auto after = group->collective_times();
  if (group->size() == 1) {
    EXPECT_EQ(after.size(), before.size()) << "a 1-rank group issues nothing";
    return;
  }
  auto calls = [&](const char* purpose) {
    const auto a = after.find(purpose), b = before.find(purpose);
    return (a == after.end() ? 0 : a->second.calls) - (b == before.end() ? 0 : b->second.calls);
  };
  EXPECT_EQ(calls("test_purpose_a"), 2);
  EXPECT_EQ(calls("test_purpose_b"), 1);
  EXPECT_EQ(calls("barrier"), 1);
  EXPECT_GT(after.at("test_purpose_a").seconds, 0.0);
}

TEST(Group, AnyIsTrueEverywhereWhenTrueSomewhere) {
  auto group = test::test_group();
  EXPECT_TRUE(group->any(group->rank() == group->size() - 1));
  EXPECT_FALSE(group->any(false));
  EXPECT_TRUE(group->any(true));
}

TEST(Group, BroadcastCopiesTheRootsTensors) {
  auto group = test::test_group();
  const int root = group->size() - 1;
  std::vector<torch::Tensor> tensors{torch::full({3}, group->rank() * 10.0),
                                     torch::full({2, 2}, int64_t{group->rank()}, torch::kInt64),
                                     torch::full({2}, group->rank() * 1.0)};
  const int64_t before = group->collective_calls();
  group->broadcast(tensors, root);
  EXPECT_TRUE(torch::equal(tensors[0], torch::full({3}, root * 10.0)));
  EXPECT_TRUE(torch::equal(tensors[1], torch::full({2, 2}, int64_t{root}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(tensors[2], torch::full({2}, root * 1.0)));
  EXPECT_EQ(group->collective_calls() - before, group->size() == 1 ? 0 : 2);
}

TEST(Group, AllGatherStringReturnsEveryRanksValueInRankOrder) {
  auto group = test::test_group();
  // Different lengths, including an empty string on rank 0.
  const auto value = [](int r) { return r == 0 ? std::string() : std::string(r * 3, 'a' + r) + "|r" + std::to_string(r); };
  const auto all = group->all_gather_string(value(group->rank()));
  ASSERT_EQ(static_cast<int>(all.size()), group->size());
  for (int r = 0; r < group->size(); ++r) EXPECT_EQ(all[r], value(r));
  group->barrier();
}

TEST(Group, DescribesItselfAndLogsTheRankTable) {
  auto group = test::test_group();
  EXPECT_EQ(group->backend(), group->size() == 1 ? "single" : "gloo");
  EXPECT_TRUE(group->device().is_cpu());
  EXPECT_EQ(group->is_main(), group->rank() == 0);
  const std::string table = rank_table(*group, "cpu");
  for (int r = 0; r < group->size(); ++r) EXPECT_NE(table.find("\n" + std::to_string(r) + " "), std::string::npos) << table;
  EXPECT_NE(table.find("local_rank"), std::string::npos);
  EXPECT_EQ(group->ranks_on_host(), group->size()) << "mpirun starts every rank of these tests on this host";
}

}  // namespace
}  // namespace steel::dist
