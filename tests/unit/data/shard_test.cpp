#include "steel/data/shard_reader.h"
#include "steel/data/shard_writer.h"

#include <hdf5.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steel/core/error.h"
#include "support/temp_dir.h"

namespace steel::data {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using steel::testing::TempDir;

std::vector<EncodedRecord> make_records(int n, int h, int w, std::vector<std::vector<uint8_t>>& images,
                                        std::vector<std::vector<uint8_t>>& masks,
                                        const ChunkCompression& compression = {}) {
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
    r.image_chunk = compress_image_chunk(img.data(), img.size(), compression);
    r.mask_chunk = compress_mask_chunk(mask.data(), mask.size(), compression);
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

// Reads a whole pixel dataset through HDF5 itself (its filter pipeline, plugins included), the way h5py does.
std::vector<uint8_t> read_with_hdf5(const std::string& path, const char* name) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t dset = H5Dopen2(file, name, H5P_DEFAULT);
  const hid_t space = H5Dget_space(dset);
  std::vector<uint8_t> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  const herr_t rc = H5Dread(dset, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  H5Sclose(space);
  H5Dclose(dset);
  H5Fclose(file);
  if (rc < 0) out.clear();
  return out;
}

std::vector<uint8_t> concat(const std::vector<std::vector<uint8_t>>& parts) {
  std::vector<uint8_t> all;
  for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

class ShardCodecTest : public ::testing::TestWithParam<ChunkCodec> {};

TEST_P(ShardCodecTest, WriteReadRoundTrip) {
  TempDir dir;
  std::vector<std::vector<uint8_t>> images, masks;
  const ChunkCompression compression{GetParam(), 4};
  const auto records = make_records(6, 32, 64, images, masks, compression);
  write_shard(dir / "fold_2.h5", make_info(32, 64), records, compression);
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
  EXPECT_EQ(reader.codec(), GetParam());
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

TEST_P(ShardCodecTest, HDF5ItselfReadsThePixelsThroughTheDeclaredFilter) {
  // steel_prep hands HDF5 finished chunks; this is the check that they are exactly what the declared
  // standard filter (deflate, or the Blosc plugin that h5py and the HDF5 tools load) decodes.
  TempDir dir;
  std::vector<std::vector<uint8_t>> images, masks;
  const ChunkCompression compression{GetParam(), 1};
  write_shard(dir / "s.h5", make_info(32, 64), make_records(5, 32, 64, images, masks, compression), compression);
  ASSERT_EQ(read_with_hdf5(dir / "s.h5", "images"), concat(images))
      << "HDF5 could not decode the " << codec_name(GetParam())
      << " chunks; for Blosc, is Debian's hdf5-filter-plugin-blosc-serial installed (scripts/install_deps.sh)?";
  EXPECT_EQ(read_with_hdf5(dir / "s.h5", "masks"), concat(masks));
}

INSTANTIATE_TEST_SUITE_P(Codecs, ShardCodecTest, ::testing::Values(ChunkCodec::kBlosc, ChunkCodec::kGzip),
                         [](const auto& info) { return codec_name(info.param); });

// Rewrites one root attribute or replaces /masks in place, to make shards this build must judge.
void set_format_version(const std::string& path, int64_t version) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t attr = H5Aopen(file, "format_version", H5P_DEFAULT);
  H5Awrite(attr, H5T_NATIVE_INT64, &version);
  H5Aclose(attr);
  H5Fclose(file);
}

TEST(Shard, ReadsVersion2ShardsAndRefusesOthersNamingTheVersion) {
  TempDir dir;
  std::vector<std::vector<uint8_t>> images, masks;
  const ChunkCompression gzip{ChunkCodec::kGzip, 1};
  write_shard(dir / "s.h5", make_info(32, 32), make_records(2, 32, 32, images, masks, gzip), gzip);
  set_format_version(dir / "s.h5", 2);  // version 2 shards hold gzip chunks only: still readable
  {
    ShardReader v2(dir / "s.h5");
    EXPECT_EQ(v2.info().format_version, 2);
    std::vector<uint8_t> img(32 * 32), mask(32 * 32);
    v2.read_record(1, img.data(), mask.data());
    EXPECT_EQ(img, images[1]);
  }  // closed, so the file can be rewritten
  for (int64_t version : {1, kShardFormatVersion + 1}) {
    set_format_version(dir / "s.h5", version);
    EXPECT_THAT([&] { ShardReader(dir / "s.h5"); },
                ::testing::ThrowsMessage<DataError>(HasSubstr("shard format version " + std::to_string(version))));
  }
}

// Replaces /masks (2 records of 32x32) by an empty dataset with the filters `declare` adds: what someone
// else's tool might leave.
template <typename Declare>
void replace_masks(const std::string& path, Declare declare) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  H5Ldelete(file, "masks", H5P_DEFAULT);
  const hsize_t dims[3] = {2, 32, 32}, chunk[3] = {1, 32, 32};
  const hid_t space = H5Screate_simple(3, dims, nullptr);
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 3, chunk);
  declare(dcpl);
  H5Dclose(H5Dcreate2(file, "masks", H5T_NATIVE_UINT8, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(file);
}

TEST(Shard, AForeignCompressionFilterIsAClearError) {
  TempDir dir;
  std::vector<std::vector<uint8_t>> images, masks;
  write_shard(dir / "s.h5", make_info(32, 32), make_records(2, 32, 32, images, masks), ChunkCompression{});
  replace_masks(dir / "s.h5", [](hid_t dcpl) {  // shuffle + deflate, a pipeline h5py offers
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 1);
  });
  EXPECT_THAT([&] { ShardReader(dir / "s.h5"); },
              ::testing::ThrowsMessage<DataError>(AllOf(HasSubstr("s.h5"), HasSubstr("'/masks' uses 2 filters"))));
  replace_masks(dir / "s.h5", [](hid_t) {});
  EXPECT_THAT([&] { ShardReader(dir / "s.h5"); },
              ::testing::ThrowsMessage<DataError>(HasSubstr("'/masks' uses no compression filter")));
  replace_masks(dir / "s.h5", [](hid_t dcpl) { H5Pset_deflate(dcpl, 1); });  // gzip masks beside Blosc images
  EXPECT_THAT([&] { ShardReader(dir / "s.h5"); },
              ::testing::ThrowsMessage<DataError>(HasSubstr("/images and /masks use different compression filters")));
}

TEST(Shard, AChunkStoredWithItsOptionalFilterSkippedIsReadRaw) {
  // An HDF5 writer without the Blosc plugin that rewrites a record stores it raw and marks the filter as
  // skipped in the chunk's filter mask; HDF5 itself reads such a chunk as it is, and so must we.
  TempDir dir;
  std::vector<std::vector<uint8_t>> images, masks;
  write_shard(dir / "s.h5", make_info(32, 32), make_records(3, 32, 32, images, masks), ChunkCompression{});
  std::vector<uint8_t> replacement(32 * 32);
  for (std::size_t p = 0; p < replacement.size(); ++p) replacement[p] = static_cast<uint8_t>(255 - p % 256);
  {
    const hid_t file = H5Fopen((dir / "s.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t dset = H5Dopen2(file, "images", H5P_DEFAULT);
    const hsize_t offset[3] = {1, 0, 0};
    ASSERT_GE(H5Dwrite_chunk(dset, H5P_DEFAULT, /*filter_mask=*/1, offset, replacement.size(), replacement.data()), 0);
    H5Dclose(dset);
    H5Fclose(file);
  }
  ShardReader reader(dir / "s.h5");
  EXPECT_FALSE(reader.read_image_chunk(1).filtered);
  EXPECT_TRUE(reader.read_image_chunk(0).filtered);
  std::vector<uint8_t> img(32 * 32), mask(32 * 32);
  reader.read_record(1, img.data(), mask.data());
  EXPECT_EQ(img, replacement);
  EXPECT_EQ(mask, masks[1]);
  reader.read_record(2, img.data(), mask.data());
  EXPECT_EQ(img, images[2]);
}

TEST(Shard, SameRecordsGiveByteIdenticalFiles) {
  TempDir dir;
  std::vector<std::vector<uint8_t>> images, masks;
  const auto records = make_records(3, 32, 32, images, masks);
  write_shard(dir / "a.h5", make_info(32, 32), records, ChunkCompression{});
  write_shard(dir / "b.h5", make_info(32, 32), records, ChunkCompression{});
  std::ifstream a(dir / "a.h5", std::ios::binary), b(dir / "b.h5", std::ios::binary);
  const std::string sa((std::istreambuf_iterator<char>(a)), {}), sb((std::istreambuf_iterator<char>(b)), {});
  EXPECT_EQ(sa, sb);
}

TEST(Shard, EmptyShardIsValid) {
  TempDir dir;
  write_shard(dir / "e.h5", make_info(32, 32), {}, ChunkCompression{});
  EXPECT_EQ(ShardReader(dir / "e.h5").size(), 0);
}

TEST(Shard, MissingTruncatedOrForeignFilesAreClearErrors) {
  TempDir dir;
  EXPECT_THAT([&] { ShardReader(dir / "nope.h5"); }, ::testing::ThrowsMessage<DataError>(HasSubstr("does not exist")));
  steel::testing::write_file(dir / "junk.h5", "this is not hdf5");
  EXPECT_THAT([&] { ShardReader(dir / "junk.h5"); }, ::testing::ThrowsMessage<DataError>(HasSubstr("not an HDF5 file")));

  std::vector<std::vector<uint8_t>> images, masks;
  write_shard(dir / "good.h5", make_info(32, 32), make_records(4, 32, 32, images, masks), ChunkCompression{});
  const auto size = std::filesystem::file_size(dir / "good.h5");
  std::filesystem::copy_file(dir / "good.h5", dir / "cut.h5");
  std::filesystem::resize_file(dir / "cut.h5", size / 2);
  EXPECT_THROW(ShardReader(dir / "cut.h5"), DataError);
}

}  // namespace
}  // namespace steel::data
