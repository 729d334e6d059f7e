// The record encoding: the mask bitfield and the model-input transform, pinned by hand-written values.
#include "steel/data/record_encoding.h"

#include <vector>

#include <gtest/gtest.h>

namespace steel::data {
namespace {

TEST(RecordEncoding, ClassBitsRoundTripForEveryByte) {
  for (int c = 0; c < kNumClasses; ++c) EXPECT_EQ(class_bit(c), 1 << c);
  for (int v = 0; v < 256; ++v) {
    uint8_t rebuilt = 0;
    for (int c = 0; c < kNumClasses; ++c) rebuilt |= has_class(static_cast<uint8_t>(v), c) ? class_bit(c) : 0;
    EXPECT_EQ(rebuilt, v & 0x0F) << "byte " << v << ": only the four class bits count";
  }
}

TEST(RecordEncoding, InputIsTheGrayLevelTimesTheFloatReciprocal) {
  EXPECT_EQ(input_value(0), 0.0F);
  EXPECT_EQ(input_value(255), 1.0F);
  for (int v = 0; v < 256; ++v)
    EXPECT_EQ(input_value(static_cast<uint8_t>(v)), static_cast<float>(v) * (1.0F / 255.0F));
}

// A 2x3 record: gray levels 0..250 and a mask with a class-1 pixel, a class-3 pixel and one with classes 2+4.
const std::vector<uint8_t> kImage = {0, 51, 102, 153, 204, 255};
const std::vector<uint8_t> kMask = {0b0001, 0, 0b0100, 0, 0b1010, 0};

std::vector<float> plane_of(const std::vector<uint8_t>& gray) {
  std::vector<float> out;
  for (uint8_t g : gray) out.push_back(input_value(g));
  return out;
}

void expect_decoded(bool hflip, bool vflip, const std::vector<uint8_t>& gray,
                    const std::vector<std::vector<float>>& classes) {
  std::vector<float> input(3 * 6, -1.0F);
  std::vector<float> target(kNumClasses * 6, -1.0F);
  decode_record(kImage.data(), kMask.data(), 2, 3, hflip, vflip, input.data(), target.data());
  const auto expected = plane_of(gray);
  for (int ch = 0; ch < kInputChannels; ++ch) {
    EXPECT_EQ(std::vector<float>(input.begin() + ch * 6, input.begin() + (ch + 1) * 6), expected) << "channel " << ch;
  }
  for (int c = 0; c < kNumClasses; ++c) {
    EXPECT_EQ(std::vector<float>(target.begin() + c * 6, target.begin() + (c + 1) * 6), classes[c])
        << "class " << c + 1;
  }
}

TEST(RecordEncoding, DecodesARecordWithEachFlip) {
  expect_decoded(false, false, {0, 51, 102, 153, 204, 255},
                 {{1, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 1, 0}, {0, 0, 1, 0, 0, 0}, {0, 0, 0, 0, 1, 0}});
  expect_decoded(true, false, {102, 51, 0, 255, 204, 153},
                 {{0, 0, 1, 0, 0, 0}, {0, 0, 0, 0, 1, 0}, {1, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 1, 0}});
  expect_decoded(false, true, {153, 204, 255, 0, 51, 102},
                 {{0, 0, 0, 1, 0, 0}, {0, 1, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 1}, {0, 1, 0, 0, 0, 0}});
  expect_decoded(true, true, {255, 204, 153, 102, 51, 0},
                 {{0, 0, 0, 0, 0, 1}, {0, 1, 0, 0, 0, 0}, {0, 0, 0, 1, 0, 0}, {0, 1, 0, 0, 0, 0}});
}

TEST(RecordEncoding, PredictionInputEqualsTheTrainingInput) {
  std::vector<float> decoded(3 * 6);
  std::vector<float> target(kNumClasses * 6);
  decode_record(kImage.data(), kMask.data(), 2, 3, false, false, decoded.data(), target.data());
  std::vector<float> encoded(3 * 6, -1.0F);
  encode_input(kImage.data(), 2, 3, encoded.data());
  EXPECT_EQ(encoded, decoded);
}

}  // namespace
}  // namespace steel::data
