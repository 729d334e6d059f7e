#include "steel/data/rle.h"

#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace steel::data {
namespace {

using ::testing::HasSubstr;

std::vector<uint8_t> paint(const std::string& rle, int64_t h, int64_t w) {
  std::vector<uint8_t> mask(static_cast<std::size_t>(h * w), 0);
  paint_runs(parse_rle(rle, h, w), h, w, 1, mask.data());
  return mask;
}

TEST(Rle, PixelsAreNumberedColumnMajorFromOne) {
  // 3 rows x 4 columns: pixel 1 is (y0,x0), pixel 2 is (y1,x0), pixel 4 is (y0,x1).
  const auto mask = paint("1 1 4 1", 3, 4);
  EXPECT_EQ(mask[0 * 4 + 0], 1);
  EXPECT_EQ(mask[1 * 4 + 0], 0);
  EXPECT_EQ(mask[0 * 4 + 1], 1);
  EXPECT_EQ(std::count(mask.begin(), mask.end(), 1), 2);
}

TEST(Rle, RunCrossingColumnsWrapsToTheNextColumnTop) {
  // Start at the last row of column 0, length 3: (y2,x0), (y0,x1), (y1,x1).
  const auto mask = paint("3 3", 3, 4);
  EXPECT_EQ(mask[2 * 4 + 0], 1);
  EXPECT_EQ(mask[0 * 4 + 1], 1);
  EXPECT_EQ(mask[1 * 4 + 1], 1);
  EXPECT_EQ(std::count(mask.begin(), mask.end(), 1), 3);
}

TEST(Rle, FirstAndLastPixelRoundTrip) {
  const int64_t h = 5, w = 7;
  std::vector<uint8_t> mask(h * w, 0);
  mask[0] = 1;                      // first pixel
  mask[(h - 1) * w + (w - 1)] = 1;  // last pixel
  const std::string rle = encode_rle(mask.data(), h, w);
  EXPECT_EQ(rle, "1 1 35 1");
  EXPECT_EQ(paint(rle, h, w), mask);
}

TEST(Rle, RandomMasksRoundTrip) {
  const int64_t h = 16, w = 24;
  uint64_t state = 12345;
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<uint8_t> mask(h * w, 0);
    for (auto& v : mask) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      v = (state >> 60) < 5 ? 1 : 0;
    }
    EXPECT_EQ(paint(encode_rle(mask.data(), h, w), h, w), mask) << "trial " << trial;
  }
}

TEST(Rle, FullSizeRunCoveringWholeColumns) {
  const auto mask = paint("257 512", 256, 1600);  // columns 1 and 2 entirely
  for (int y = 0; y < 256; ++y) {
    EXPECT_EQ(mask[y * 1600 + 0], 0);
    EXPECT_EQ(mask[y * 1600 + 1], 1);
    EXPECT_EQ(mask[y * 1600 + 2], 1);
    EXPECT_EQ(mask[y * 1600 + 3], 0);
  }
}

TEST(Rle, EncodeSelectsOneBitOfABitfield) {
  std::vector<uint8_t> mask = {1, 2, 3, 0};  // 2x2 row-major
  EXPECT_EQ(encode_rle(mask.data(), 2, 2, 1), "1 2");      // (0,0) and (1,0): pixels 1, 2
  EXPECT_EQ(encode_rle(mask.data(), 2, 2, 2), "2 2");      // (1,0) then (0,1): pixels 2, 3
}

TEST(Rle, EmptyStringIsNoRuns) { EXPECT_TRUE(parse_rle("", 256, 1600).empty()); }

void expect_rejected(const std::string& rle, const std::string& reason) {
  try {
    parse_rle(rle, 4, 4);
    FAIL() << "'" << rle << "' was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr(reason)) << "for '" << rle << "'";
  }
}

TEST(Rle, RejectsEveryMalformedCase) {
  expect_rejected("1 2 3", "odd number of tokens");
  expect_rejected("1 x", "not a non-negative integer");
  expect_rejected("1 -2", "not a non-negative integer");
  expect_rejected("0 2", "start must be >= 1");
  expect_rejected("1 0", "length must be >= 1");
  expect_rejected("15 3", "runs past the last pixel 16");
  expect_rejected("5 2 1 1", "overlaps or precedes");
  expect_rejected("1 3 3 1", "overlaps or precedes");
}

TEST(Rle, AdjacentRunsAreAccepted) { EXPECT_EQ(parse_rle("1 2 3 2", 4, 4).size(), 2u); }

}  // namespace
}  // namespace steel::data
