// The resolved configuration: each rule (batches, folds, loaders, limits) in one place, checked here.
#include "steel/train/resolved_config.h"

#include <gtest/gtest.h>

#include "steel/core/error.h"

namespace steel::train {
namespace {

RunEnvironment on(int ranks, int num_folds = 3) {
  RunEnvironment e;
  e.world_size = ranks;
  e.ranks_on_host = ranks;
  e.num_folds = num_folds;
  return e;
}

std::string error_of(const TrainOptions& o, const RunEnvironment& e) {
  try {
    resolve_config(o, e);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "<no error>";
}

TEST(ResolvedConfig, BatchPerRankSetsTheGlobalBatch) {
  TrainOptions o;
  o.batch_per_rank = 3;
  const auto c = resolve_config(o, on(4));
  EXPECT_EQ(c.global_batch, 12);
  EXPECT_EQ(c.local_batch, 3);
  o.batch_size = 100;  // --batch-per-rank wins over --batch-size
  EXPECT_EQ(resolve_config(o, on(4)).global_batch, 12);
}

TEST(ResolvedConfig, TheGlobalBatchIsSharedEquallyOrRefused) {
  TrainOptions o;
  o.batch_size = 16;
  const auto c = resolve_config(o, on(4));
  EXPECT_EQ(c.global_batch, 16);
  EXPECT_EQ(c.local_batch, 4);
  EXPECT_EQ(error_of(o, on(3)),
            "--batch-size 16 does not divide evenly across 3 ranks; pick a multiple or use --batch-per-rank");
}

TEST(ResolvedConfig, FoldsAreTheOneAskedForOrAll) {
  TrainOptions o;
  o.data_dir = "prep";
  EXPECT_EQ(resolve_config(o, on(1)).folds, (std::vector<int>{0, 1, 2}));
  o.fold = 2;
  EXPECT_EQ(resolve_config(o, on(1)).folds, (std::vector<int>{2}));
  o.fold = 3;
  EXPECT_EQ(error_of(o, on(1)), "--fold 3 is out of range: prep has folds 0..2");
}

TEST(ResolvedConfig, LimitsCutStepsAndValidationRecords) {
  TrainOptions o;
  o.batch_size = 4;
  auto c = resolve_config(o, on(2));
  EXPECT_EQ(c.train_steps(10), 10);
  EXPECT_EQ(c.val_records(50), 50);
  o.max_train_batches = 3;
  o.max_val_batches = 2;
  c = resolve_config(o, on(2));
  EXPECT_EQ(c.train_steps(10), 3);
  EXPECT_EQ(c.train_steps(2), 2);
  EXPECT_EQ(c.val_records(50), 8) << "global batches, whatever the number of ranks";
  EXPECT_EQ(c.val_records(5), 5);
}

TEST(ResolvedConfig, LoadersFollowTheOptions) {
  TrainOptions o;
  o.loader_threads = 3;
  o.prefetch_batches = 7;
  o.flips = true;
  o.seed = 9;
  const auto c = resolve_config(o, on(1));
  const auto val = c.val_loader();
  EXPECT_EQ(val.threads, 3);
  EXPECT_EQ(val.depth, 7);
  EXPECT_FALSE(val.flips) << "validation is never flipped";
  EXPECT_FALSE(val.pin_memory) << "nothing to pin for on the CPU";
  const auto train = c.train_loader(5);
  EXPECT_TRUE(train.flips);
  EXPECT_EQ(train.seed, 9U);
  EXPECT_EQ(train.epoch, 5);
  EXPECT_EQ(train.threads, 3);
}

TEST(ResolvedConfig, ThreadsAndPrecision) {
  TrainOptions o;
  o.threads = 2;
  EXPECT_EQ(resolve_config(o, on(1)).intra_op_threads, 2);
  o.amp = "bf16";
  EXPECT_EQ(resolve_config(o, on(1)).amp, AmpMode::kBf16);
  o.amp = "fp16";
  EXPECT_THROW(resolve_config(o, on(1)), ConfigError) << "fp16 is CUDA only";
}

}  // namespace
}  // namespace steel::train
