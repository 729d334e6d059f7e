#include "steel/core/parallel.h"

#include <sched.h>

#include <atomic>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
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

TEST(ParallelFor, ResolvesZeroThreadsToTheUsableCpus) {
  EXPECT_EQ(resolve_threads(0), usable_cpus());
  EXPECT_EQ(resolve_threads(3), 3);
}

// Sets or clears OMP_NUM_THREADS for one test and puts the caller's value back.
class ScopedOmpThreads {
 public:
  explicit ScopedOmpThreads(const char* value) {
    if (const char* old = std::getenv("OMP_NUM_THREADS")) old_ = old;
    if (value != nullptr) {
      setenv("OMP_NUM_THREADS", value, 1);
    } else {
      unsetenv("OMP_NUM_THREADS");
    }
  }
  ~ScopedOmpThreads() {
    if (old_) {
      setenv("OMP_NUM_THREADS", old_->c_str(), 1);
    } else {
      unsetenv("OMP_NUM_THREADS");
    }
  }

 private:
  std::optional<std::string> old_;
};

TEST(UsableCpus, IsTheAffinityMaskCount) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  EXPECT_EQ(usable_cpus(), CPU_COUNT(&set));
  EXPECT_EQ(resolve_threads(0), usable_cpus());
  EXPECT_EQ(resolve_threads(3), 3);
}

TEST(IntraOpThreads, SharesTheUsableCpusAmongTheRanksOfTheHost) {
  ScopedOmpThreads unset(nullptr);
  const int cpus = usable_cpus();
  EXPECT_EQ(intra_op_threads(0, 1), cpus);
  EXPECT_EQ(intra_op_threads(0, 2), std::max(1, cpus / 2));
  EXPECT_EQ(intra_op_threads(0, 4 * cpus), 1) << "never less than one thread";
  EXPECT_EQ(intra_op_threads(5, 8), 5) << "an explicit --threads wins";
}

TEST(IntraOpThreads, HonoursAValidOmpNumThreads) {
  {
    ScopedOmpThreads three("3");
    EXPECT_EQ(intra_op_threads(0, 2), 3);
    EXPECT_EQ(intra_op_threads(2, 2), 2);
  }
  for (const char* bad : {"", "x", "0", "-2", "3x"}) {
    ScopedOmpThreads ignored(bad);
    EXPECT_EQ(intra_op_threads(0, 1), usable_cpus()) << "OMP_NUM_THREADS='" << bad << "' is not a thread count";
  }
}

}  // namespace steel
