#include "steel/run/fold_result.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "steel/core/atomic_file.h"
#include "steel/core/error.h"
#include "support/temp_dir.h"

namespace steel::run {
namespace {

FoldResult result_of(int fold, double val_loss) {
  FoldResult r;
  r.fold = fold;
  r.best_epoch = 2;
  r.epochs_run = 5;
  r.stopped_early = true;
  r.best.epoch = 2;
  r.best.train_loss = 0.25;
  r.best.train_dice = 0.5;
  r.best.val_loss = val_loss;
  r.best.val_dice = 0.625;
  r.best.val_kaggle_dice = 0.75;
  r.seconds = 12.5;
  return r;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FoldResult, RoundTripsThroughResultCsv) {
  testing::TempDir dir;
  const auto path = dir / "result.csv";
  write_file_atomically(path, fold_result_csv({result_of(3, 0.125)}));
  EXPECT_EQ(read(path),
            "fold,best_epoch,epochs_run,stopped_early,train_loss,train_dice,val_loss,val_dice,val_kaggle_dice,seconds\n"
            "3,2,5,1,0.25,0.5,0.125,0.625,0.75,12.500\n");
  const auto back = read_fold_result(path);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(fold_result_csv({*back}), fold_result_csv({result_of(3, 0.125)}));
  EXPECT_FALSE(read_fold_result(dir / "missing.csv").has_value());
  write_file_atomically(path, "something else\n1,2\n");
  EXPECT_THROW(read_fold_result(path), DataError);
}

TEST(FoldResult, FoldsCsvListsTheFinishedFoldsOnly) {
  testing::TempDir dir;
  const auto paths = RunPaths::of(dir.path(), "resnet18");
  for (int k : {0, 2}) {
    std::filesystem::create_directories(paths.fold_dir(k));
    write_file_atomically(paths.result_csv(k), fold_result_csv({result_of(k, 0.1 * (k + 1))}));
  }
  std::filesystem::create_directories(paths.fold_dir(1));  // started, not finished
  update_folds_csv(paths, 3);
  EXPECT_EQ(read(paths.folds_csv()), fold_result_csv({result_of(0, 0.1), result_of(2, 0.30000000000000004)}));
}

}  // namespace
}  // namespace steel::run
