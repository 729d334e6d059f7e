#include "steel/loader/prefetcher.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "steel/core/error.h"
#include "steel/data/shard_reader.h"
#include "steel/loader/shard_set.h"
#include "support/temp_dir.h"
#include "support/tiny_prep.h"

using namespace steel::loader;
using steel::testing::TempDir;

class PrefetcherTest : public steel::testing::TinyPrepSuite {};

TEST_F(PrefetcherTest, OpenFoldSplitsTrainingAndValidationShards) {
  auto fold = open_fold(prep(), 1);
  EXPECT_EQ(fold.num_folds, 3);
  EXPECT_EQ(fold.val->paths().size(), 1u);
  EXPECT_EQ(fold.train->paths().size(), 2u);
  EXPECT_EQ(fold.train->height(), 32);
  EXPECT_EQ(fold.train->width(), 160);
  int64_t total = 0;
  for (int k = 0; k < 3; ++k) total += steel::data::ShardReader(prep() + "/fold_" + std::to_string(k) + ".h5").size();
  EXPECT_EQ(fold.train->size() + fold.val->size(), total);
  EXPECT_THROW(open_fold(prep(), 3), steel::ConfigError);
}

TEST_F(PrefetcherTest, BatchesMatchTheShardPixelsInOrder) {
  auto fold = open_fold(prep(), 0);
  const auto& data = *fold.train;
  std::vector<std::vector<int64_t>> batches{{3, 1}, {0}, {data.size() - 1, 2, 5}};
  Prefetcher loader(data, batches, {/*threads=*/3, /*depth=*/2});
  const int64_t plane = data.height() * data.width();
  std::vector<uint8_t> image(static_cast<std::size_t>(plane));
  std::vector<uint8_t> mask(static_cast<std::size_t>(plane));
  for (const auto& expected : batches) {
    auto batch = loader.next();
    ASSERT_TRUE(batch.has_value());
    ASSERT_EQ(batch->records, expected);
    ASSERT_EQ(batch->images.sizes(), (torch::IntArrayRef{static_cast<int64_t>(expected.size()), 3, 32, 160}));
    ASSERT_EQ(batch->masks.sizes(), (torch::IntArrayRef{static_cast<int64_t>(expected.size()), 4, 32, 160}));
    for (std::size_t b = 0; b < expected.size(); ++b) {
      const auto [reader, index] = data.locate(expected[b]);
      reader->read_record(index, image.data(), mask.data());
      auto img = torch::from_blob(image.data(), {32, 160}, torch::kUInt8).to(torch::kFloat32) / 255.0;
      auto bits = torch::from_blob(mask.data(), {32, 160}, torch::kUInt8).to(torch::kInt32);
      for (int c = 0; c < 3; ++c) EXPECT_TRUE(torch::allclose(batch->images[b][c], img));
      for (int c = 0; c < 4; ++c) {
        auto plane_c = bits.bitwise_and(1 << c).ne(0).to(torch::kFloat32);
        EXPECT_TRUE(torch::equal(batch->masks[b][c], plane_c)) << "class " << c + 1;
      }
    }
  }
  EXPECT_FALSE(loader.next().has_value());
}

TEST_F(PrefetcherTest, FlipsAreDeterministicAndFlipImageAndMaskTogether) {
  auto fold = open_fold(prep(), 0);
  std::vector<int64_t> records;
  for (int64_t i = 0; i < 16; ++i) records.push_back(i);
  PrefetcherOptions plain;
  PrefetcherOptions flipped;
  flipped.flips = true;
  flipped.seed = 9;
  flipped.epoch = 2;
  auto a = assemble_batch(*fold.train, records, plain);
  auto b = assemble_batch(*fold.train, records, flipped);
  auto c = assemble_batch(*fold.train, records, flipped);
  EXPECT_TRUE(torch::equal(b.images, c.images));
  int changed = 0;
  for (int64_t i = 0; i < 16; ++i) {
    // Each record is one of the four flips of the original, the same one for image and mask.
    bool matched = false;
    for (std::vector<int64_t> dims : {std::vector<int64_t>{}, {2}, {1}, {1, 2}}) {
      auto img = dims.empty() ? a.images[i] : a.images[i].flip(dims);
      auto msk = dims.empty() ? a.masks[i] : a.masks[i].flip(dims);
      if (torch::equal(img, b.images[i]) && torch::equal(msk, b.masks[i])) {
        matched = true;
        if (!dims.empty()) ++changed;
        break;
      }
    }
    EXPECT_TRUE(matched) << "record " << i;
  }
  EXPECT_GT(changed, 4);  // 3 of 4 outcomes flip; 16 records all unflipped would be a broken coin
}

TEST_F(PrefetcherTest, WorkerErrorsReachTheConsumer) {
  auto fold = open_fold(prep(), 0);
  Prefetcher loader(*fold.train, {{0}, {fold.train->size() + 7}}, {});
  EXPECT_TRUE(loader.next().has_value());
  EXPECT_THROW(loader.next(), std::out_of_range);
}

TEST_F(PrefetcherTest, ShardsOfDifferentPrepRunsAreRejected) {
  TempDir other;
  steel::testing::TinyPrepOptions o;
  o.height = 64;
  o.images = 60;
  o.folds = 2;
  const auto prep2 = steel::testing::make_tiny_prep(other.path().string(), o);
  try {
    ShardSet mixed({prep() + "/fold_0.h5", prep2 + "/fold_1.h5"});
    FAIL() << "mixed shards were accepted";
  } catch (const steel::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("different steel_prep run"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(prep2 + "/fold_1.h5"), std::string::npos) << e.what();
  }
}

TEST_F(PrefetcherTest, ShardsOfTheSameCsvAndSeedButOtherPrepOptionsAreRejected) {
  // Same images, CSV checksum, seed, size and fold count: only the held-out test set differs, which moves
  // images between folds. Only prep_id tells these runs apart.
  TempDir other;
  steel::testing::TinyPrepOptions o;
  o.test_per_class = 2;
  const auto prep2 = steel::testing::make_tiny_prep(other.path().string(), o);
  const auto a = steel::data::ShardReader(prep() + "/fold_0.h5").info();
  const auto b = steel::data::ShardReader(prep2 + "/fold_1.h5").info();
  ASSERT_EQ(a.source_csv_crc32, b.source_csv_crc32);
  ASSERT_EQ(a.seed, b.seed);
  ASSERT_EQ(a.height, b.height);
  ASSERT_EQ(a.num_folds, b.num_folds);
  ASSERT_NE(a.prep_id, b.prep_id);
  try {
    ShardSet mixed({prep() + "/fold_0.h5", prep2 + "/fold_1.h5"});
    FAIL() << "shards of two prep runs were accepted";
  } catch (const steel::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("prep_id"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(ShardSet({prep() + "/fold_0.h5", prep() + "/fold_1.h5"}));
}

TEST_F(PrefetcherTest, AMissingFoldShardIsADataErrorNamingIt) {
  TempDir copy;
  for (const auto& entry : std::filesystem::directory_iterator(prep())) {
    std::filesystem::copy(entry.path(), copy.path() / entry.path().filename());
  }
  std::filesystem::remove(copy.path() / "fold_2.h5");
  try {
    open_fold(copy.path().string(), 0);
    FAIL() << "a missing shard was accepted";
  } catch (const steel::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("fold_2.h5"), std::string::npos) << e.what();
  }
}
