#include "steel/core/parallel.h"

#include <atomic>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace steel {

TEST(ParallelFor, VisitsEveryIndexExactlyOnce) {
  std::vector<std::atomic<int>> hits(1000);
  parallel_for(hits.size(), 4, [&](std::size_t i) { ++hits[i]; });
  for (const auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(ParallelFor, RethrowsTheWorkersException) {
  EXPECT_THROW(parallel_for(100, 3, [](std::size_t i) {
                 if (i == 17) throw std::runtime_error("boom");
               }),
               std::runtime_error);
}

TEST(ParallelFor, ResolvesZeroThreadsToTheCoreCount) { EXPECT_GE(resolve_threads(0), 1); }

}  // namespace steel
