// gtest main for tests run under mpirun: rank 0 prints the report, and a failure on any rank fails them all.
#include <chrono>

#include <gtest/gtest.h>
#include <mpi.h>

#include "steel/dist/launch.h"
#include "mpi/dist_test_group.h"

namespace steel::test {
namespace {
std::shared_ptr<dist::Group> g_group;
}

std::shared_ptr<dist::Group> test_group() {
  if (!g_group) {
    // detect_launch() sees that MPI is initialised already and leaves its finalisation to us.
    g_group = dist::Group::create(dist::detect_launch(), torch::kCPU,
                                  dist::GroupOptions().timeout(std::chrono::seconds(60)));
  }
  return g_group;
}

}  // namespace steel::test

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int failed = RUN_ALL_TESTS();
  int any_failed = 0;
  MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  // Every rank is past its last collective: rank 0 may now take the store down with its group.
  steel::test::g_group.reset();
  MPI_Finalize();
  return any_failed;
}
