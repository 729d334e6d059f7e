#include "steel/sweep/run_status.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "steel/core/run_lock.h"
#include "support/temp_dir.h"

namespace steel::sweep {
namespace fs = std::filesystem;

class RunStatusTest : public ::testing::Test {
 protected:
  std::string fold_dir(const std::string& backbone, int fold) {
    const fs::path dir = dir_.path() / backbone / ("fold_" + std::to_string(fold));
    fs::create_directories(dir);
    return dir.string();
  }
  testing::TempDir dir_;
};

TEST_F(RunStatusTest, ReadsEachStateFromTheRunFolder) {
  // fold 0: nothing; 1: checkpoint only; 2: checkpoint and a live lock; 3: failure marker; 4: result.
  testing::write_file(fold_dir("resnet18", 1) + "/checkpoint.pt", "x");
  testing::write_file(fold_dir("resnet18", 1) + "/metrics.csv", "epoch,train_loss\n1,0.5\n2,0.4\n");
  testing::write_file(fold_dir("resnet18", 2) + "/checkpoint.pt", "x");
  auto lock = RunLock::try_acquire(fold_dir("resnet18", 2) + "/running.lock", "node7 pid 99");
  ASSERT_NE(lock, nullptr);
  testing::write_file(fold_dir("resnet18", 3) + "/checkpoint.pt", "x");
  testing::write_file(fold_dir("resnet18", 3) + "/sweep_failed.txt", "exit code 3 (slurm job 12_3)\n");
  testing::write_file(fold_dir("resnet18", 4) + "/result.csv", "fold\n4\n");
  testing::write_file(fold_dir("resnet18", 4) + "/running.lock", "");  // left behind, not held

  const auto runs = collect_status(dir_.path().string(), {"resnet18"}, {0, 1, 2, 3, 4});
  ASSERT_EQ(runs.size(), 5u);
  EXPECT_EQ(runs[0].state, RunState::kPending);
  EXPECT_EQ(runs[1].state, RunState::kStarted);
  EXPECT_EQ(runs[1].epochs_done, 2);
  EXPECT_EQ(runs[2].state, RunState::kRunning);
  EXPECT_EQ(runs[2].note, "node7 pid 99");
  EXPECT_EQ(runs[3].state, RunState::kFailed);
  EXPECT_EQ(runs[3].note, "exit code 3 (slurm job 12_3)");
  EXPECT_EQ(runs[4].state, RunState::kFinished);

  lock.reset();
  EXPECT_EQ(collect_status(dir_.path().string(), {"resnet18"}, {2})[0].state, RunState::kStarted)
      << "a released lock means interrupted, not running";
}

TEST_F(RunStatusTest, TableCountsEveryState) {
  testing::write_file(fold_dir("resnet34", 0) + "/result.csv", "fold\n0\n");
  testing::write_file(fold_dir("resnet34", 1) + "/sweep_failed.txt", "exit code 1\n");
  const auto table = status_table(collect_status(dir_.path().string(), {"resnet34", "resnet50"}, {0, 1}));
  EXPECT_NE(table.find("resnet34              1  failed"), std::string::npos) << table;
  EXPECT_NE(table.find("4 runs: 1 failed 1 finished 2 pending"), std::string::npos) << table;
}

}  // namespace steel::sweep
