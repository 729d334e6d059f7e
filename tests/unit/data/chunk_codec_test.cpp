#include "steel/data/chunk_codec.h"

#include <algorithm>
#include <array>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steel/core/error.h"

namespace steel::data {
namespace {

using ::testing::HasSubstr;

constexpr std::size_t kBytes = 128 * 800;

// Steel-like rows: a smooth ramp plus sensor noise, so the codecs face the redundancy real images have.
std::vector<uint8_t> noisy_image(uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 6.0);
  std::vector<uint8_t> image(kBytes);
  for (std::size_t p = 0; p < kBytes; ++p) {
    const double v = 100.0 + 40.0 * static_cast<double>(p % 800) / 800.0 + noise(rng);
    image[p] = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
  }
  return image;
}

std::vector<uint8_t> sparse_mask() {
  std::vector<uint8_t> mask(kBytes, 0);
  for (std::size_t p = 10'000; p < 14'000; ++p) mask[p] = 4;
  mask.back() = 9;  // the last pixel, classes 1 and 4
  return mask;
}

class ChunkCodecTest : public ::testing::TestWithParam<ChunkCodec> {
 protected:
  ChunkCompression compression() const { return {GetParam(), 1}; }
};

TEST_P(ChunkCodecTest, ImagesAndMasksRoundTripAndShrink) {
  const auto image = noisy_image(1);
  const auto mask = sparse_mask();
  const auto image_chunk = compress_image_chunk(image.data(), image.size(), compression());
  const auto mask_chunk = compress_mask_chunk(mask.data(), mask.size(), compression());
  EXPECT_LT(image_chunk.size(), kBytes * 9 / 10) << "the noisy ramp should still compress";
  EXPECT_LT(mask_chunk.size(), kBytes / 50) << "a mask is long runs of zero";

  std::vector<uint8_t> out(kBytes);
  decompress_chunk(GetParam(), image_chunk.data(), image_chunk.size(), out.data(), kBytes, "test");
  EXPECT_EQ(out, image);
  decompress_chunk(GetParam(), mask_chunk.data(), mask_chunk.size(), out.data(), kBytes, "test");
  EXPECT_EQ(out, mask);
}

TEST_P(ChunkCodecTest, IncompressibleBytesStillRoundTrip) {
  std::mt19937 rng(7);
  std::vector<uint8_t> random(kBytes);
  for (auto& b : random) b = static_cast<uint8_t>(rng());
  const auto chunk = compress_image_chunk(random.data(), random.size(), compression());
  std::vector<uint8_t> out(kBytes);
  decompress_chunk(GetParam(), chunk.data(), chunk.size(), out.data(), kBytes, "test");
  EXPECT_EQ(out, random);
}

TEST_P(ChunkCodecTest, CorruptTruncatedOrMissizedChunksAreErrorsNamingTheRecord) {
  const auto image = noisy_image(2);
  auto chunk = compress_image_chunk(image.data(), image.size(), compression());
  std::vector<uint8_t> out(kBytes);
  const std::string where = "fold_0.h5: record 12";

  auto truncated = chunk;
  truncated.resize(chunk.size() / 2);
  EXPECT_THAT([&] { decompress_chunk(GetParam(), truncated.data(), truncated.size(), out.data(), kBytes, where); },
              ::testing::ThrowsMessage<DataError>(HasSubstr("fold_0.h5: record 12")));

  std::vector<uint8_t> garbage(chunk.size(), 0xAB);
  EXPECT_THAT([&] { decompress_chunk(GetParam(), garbage.data(), garbage.size(), out.data(), kBytes, where); },
              ::testing::ThrowsMessage<DataError>(HasSubstr("corrupt chunk")));

  // A valid chunk of another size (another --height/--width) must not be taken for this one.
  EXPECT_THROW(decompress_chunk(GetParam(), chunk.data(), chunk.size(), out.data(), kBytes / 2, where), DataError);
}

INSTANTIATE_TEST_SUITE_P(Codecs, ChunkCodecTest, ::testing::Values(ChunkCodec::kBlosc, ChunkCodec::kGzip),
                         [](const auto& info) { return codec_name(info.param); });

TEST(ChunkCodec, NamesParseAndUnknownOnesAreRefused) {
  EXPECT_EQ(parse_codec("blosc"), ChunkCodec::kBlosc);
  EXPECT_EQ(parse_codec("gzip"), ChunkCodec::kGzip);
  EXPECT_EQ(codec_name(parse_codec("gzip")), "gzip");
  EXPECT_THAT([] { parse_codec("zstd"); }, ::testing::ThrowsMessage<ConfigError>(HasSubstr("--compression 'zstd'")));
}

TEST(ChunkCodec, BloscParametersAreWhatHdf5pluginWrites) {
  // h5py + hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=BITSHUFFLE) stores exactly these for a 128x800
  // uint8 chunk (read back from such a file with h5py): the same declaration makes our shards look alike.
  const std::array<unsigned, 7> expected = {2, 2, 1, 102400, 5, 2, 1};
  EXPECT_EQ(blosc_filter_parameters(kBytes), expected);
}

}  // namespace
}  // namespace steel::data
