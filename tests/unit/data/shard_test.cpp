#include "steel/data/shard_reader.h"
#include "steel/data/shard_writer.h"

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steel/core/error.h"
#include "support/temp_dir.h"

namespace steel::data {
namespace {

using ::testing::HasSubstr;
using steel::testing::TempDir;

std::vector<EncodedRecord> make_records(int n, int h, int w, std::vector<std::vector<uint8_t>>& images,
                                        std::vector<std::vector<uint8_t>>& masks) {
  std::vector<EncodedRecord> records;
  for (int i = 0; i < n; ++i) {
    std::vector<uint8_t> img(h * w), mask(h * w, 0);
    for (int p = 0; p < h * w; ++p) img[p] = static_cast<uint8_t>((p * 7 + i * 13) % 251);
    mask[i] = static_cast<uint8_t>(1u << (i % 4));
    EncodedRecord r;
    r.meta.image_id = "img" + std::to_string(i) + ".jpg" + (i % 2 ? ":hflip" : "");
    r.meta.source_id = "img" + std::to_string(i) + ".jpg";
    r.meta.augmentation = i % 2 ? "hflip" : "none";
    r.meta.labels[i % 4] = 1;
    r.meta.defect_pixels[i % 4] = 1;
    r.image_chunk = compress_chunk(img.data(), img.size(), 4);
    r.mask_chunk = compress_mask_chunk(mask.data(), mask.size(), 4);
    records.push_back(std::move(r));
    images.push_back(img);
    masks.push_back(mask);
  }
  return records;
}

ShardInfo make_info(int h, int w) {
  ShardInfo info;
  info.fold = 2;
  info.num_folds = 5;
  info.height = h;
  info.width = w;
  info.seed = 42;
  info.source_csv_crc32 = "deadbeef";
  info.prep_id = "0123456789abcdef";
  info.tool_version = "test";
  return info;
}

TEST(Shard, WriteReadRoundTrip) {
  TempDir dir;
  std::vector<std::vector<uint8_t>> images, masks;
  const auto records = make_records(6, 32, 64, images, masks);
  write_shard(dir / "fold_2.h5", make_info(32, 64), records, 4);
  EXPECT_EQ(steel::testing::list_dir(dir.path()), std::vector<std::string>{"fold_2.h5"});  // no .tmp left

  ShardReader reader(dir / "fold_2.h5");
  EXPECT_EQ(reader.size(), 6);
  EXPECT_EQ(reader.info().fold, 2);
  EXPECT_EQ(reader.info().num_folds, 5);
  EXPECT_EQ(reader.info().seed, 42u);
  EXPECT_EQ(reader.info().source_csv_crc32, "deadbeef");
  EXPECT_EQ(reader.info().prep_id, "0123456789abcdef");
  EXPECT_EQ(reader.info().format_version, kShardFormatVersion);
  EXPECT_EQ(reader.info().tool_version, "test");
  EXPECT_EQ(reader.info().height, 32);
  EXPECT_EQ(reader.info().width, 64);
  EXPECT_EQ(reader.info().split, "fold");
  std::vector<uint8_t> img(32 * 64), mask(32 * 64);
  for (int i = 0; i < 6; ++i) {
    reader.read_record(i, img.data(), mask.data());
    EXPECT_EQ(img, images[i]) << i;
    EXPECT_EQ(mask, masks[i]) << i;
    EXPECT_EQ(reader.meta(i).image_id, records[i].meta.image_id);
    EXPECT_EQ(reader.meta(i).augmentation, records[i].meta.augmentation);
    EXPECT_EQ(reader.meta(i).labels, records[i].meta.labels);
    EXPECT_EQ(reader.meta(i).defect_pixels, records[i].meta.defect_pixels);
  }
  EXPECT_THROW(reader.read_record(6, img.data(), mask.data()), DataError);
}

TEST(Shard, SameRecordsGiveByteIdenticalFiles) {
  TempDir dir;
  std::vector<std::vector<uint8_t>> images, masks;
  const auto records = make_records(3, 32, 32, images, masks);
  write_shard(dir / "a.h5", make_info(32, 32), records, 4);
  write_shard(dir / "b.h5", make_info(32, 32), records, 4);
  std::ifstream a(dir / "a.h5", std::ios::binary), b(dir / "b.h5", std::ios::binary);
  const std::string sa((std::istreambuf_iterator<char>(a)), {}), sb((std::istreambuf_iterator<char>(b)), {});
  EXPECT_EQ(sa, sb);
}

TEST(Shard, EmptyShardIsValid) {
  TempDir dir;
  write_shard(dir / "e.h5", make_info(32, 32), {}, 4);
  EXPECT_EQ(ShardReader(dir / "e.h5").size(), 0);
}

TEST(Shard, MissingTruncatedOrForeignFilesAreClearErrors) {
  TempDir dir;
  EXPECT_THAT([&] { ShardReader(dir / "nope.h5"); }, ::testing::ThrowsMessage<DataError>(HasSubstr("does not exist")));
  steel::testing::write_file(dir / "junk.h5", "this is not hdf5");
  EXPECT_THAT([&] { ShardReader(dir / "junk.h5"); }, ::testing::ThrowsMessage<DataError>(HasSubstr("not an HDF5 file")));

  std::vector<std::vector<uint8_t>> images, masks;
  write_shard(dir / "good.h5", make_info(32, 32), make_records(4, 32, 32, images, masks), 4);
  const auto size = std::filesystem::file_size(dir / "good.h5");
  std::filesystem::copy_file(dir / "good.h5", dir / "cut.h5");
  std::filesystem::resize_file(dir / "cut.h5", size / 2);
  EXPECT_THROW(ShardReader(dir / "cut.h5"), DataError);
}

}  // namespace
}  // namespace steel::data
