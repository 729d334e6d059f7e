// The run folder's names are a contract with users' scripts and the batch scripts: pinned literally here.
#include "steel/run/run_paths.h"

#include <fstream>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace steel::run {
namespace {

TEST(RunPaths, NamesEveryFile) {
  const auto p = RunPaths::of("runs", "resnet34");
  EXPECT_EQ(p.backbone_dir, "runs/resnet34");
  EXPECT_EQ(RunPaths::fold_name(3), "fold_3");
  EXPECT_EQ(p.fold_dir(3), "runs/resnet34/fold_3");
  EXPECT_EQ(p.metrics_csv(3), "runs/resnet34/fold_3/metrics.csv");
  EXPECT_EQ(p.best_weights(3), "runs/resnet34/fold_3/best.h5");
  EXPECT_EQ(p.checkpoint(3), "runs/resnet34/fold_3/checkpoint.pt");
  EXPECT_EQ(p.result_csv(3), "runs/resnet34/fold_3/result.csv");
  EXPECT_EQ(p.run_json(3), "runs/resnet34/fold_3/run.json");
  EXPECT_EQ(p.run_lock(3), "runs/resnet34/fold_3/running.lock");
  EXPECT_EQ(p.sweep_failed(3), "runs/resnet34/fold_3/sweep_failed.txt");
  EXPECT_EQ(p.folds_csv(), "runs/resnet34/folds.csv");
  EXPECT_EQ(p.folds_lock(), "runs/resnet34/.folds.lock");
  EXPECT_EQ(p.test_metrics_csv(), "runs/resnet34/test_metrics.csv");
  EXPECT_EQ(p.overlays_dir(), "runs/resnet34/overlays");
}

void touch(const std::string& path) { std::ofstream(path) << "x\n"; }

TEST(RunPaths, FinishedFoldsAreTheFoldFoldersWithAResultInNumericOrder) {
  testing::TempDir dir;
  const auto p = RunPaths::of(dir.path(), "resnet18");
  for (const char* name : {"fold_10", "fold_2", "fold_01", "fold_x", "fold_", "fold_4", "other"}) {
    std::filesystem::create_directories(std::filesystem::path(p.backbone_dir) / name);
    touch((std::filesystem::path(p.backbone_dir) / name / "result.csv").string());
  }
  std::filesystem::create_directories(p.fold_dir(5));  // started, not finished
  touch(p.metrics_csv(5));
  std::filesystem::remove(p.result_csv(4));
  EXPECT_EQ(p.finished_folds(), (std::vector<int>{2, 10}));
  EXPECT_TRUE(RunPaths::of(dir.path(), "missing").finished_folds().empty());
}

TEST(RunPaths, TrainedBackbonesHaveAFoldsCsv) {
  testing::TempDir dir;
  for (const char* b : {"resnet34", "efficientnet-b0", "untrained"}) {
    std::filesystem::create_directories(RunPaths::of(dir.path(), b).backbone_dir);
  }
  touch(RunPaths::of(dir.path(), "resnet34").folds_csv());
  touch(RunPaths::of(dir.path(), "efficientnet-b0").folds_csv());
  EXPECT_EQ(trained_backbones(dir.path()), (std::vector<std::string>{"efficientnet-b0", "resnet34"}));
  EXPECT_TRUE(trained_backbones(dir / "nothing_here").empty());
}

}  // namespace
}  // namespace steel::run
