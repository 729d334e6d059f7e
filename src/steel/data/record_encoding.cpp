#include "steel/data/record_encoding.h"

#include <cstring>

namespace steel::data {
namespace {

void repeat_first_channel(int64_t plane, float* input) {
  for (int ch = 1; ch < kInputChannels; ++ch) {
    std::memcpy(input + ch * plane, input, static_cast<std::size_t>(plane) * sizeof(float));
  }
}

}  // namespace

void decode_record(const uint8_t* image, const uint8_t* mask, int64_t height, int64_t width, bool hflip, bool vflip,
                   float* input, float* target) {
  const int64_t plane = height * width;
  for (int64_t y = 0; y < height; ++y) {
    const int64_t sy = vflip ? height - 1 - y : y;
    const uint8_t* src_img = image + sy * width;
    const uint8_t* src_msk = mask + sy * width;
    float* dst_img = input + y * width;
    for (int64_t x = 0; x < width; ++x) {
      const int64_t sx = hflip ? width - 1 - x : x;
      dst_img[x] = input_value(src_img[sx]);
      const uint8_t bits = src_msk[sx];
      for (int c = 0; c < kNumClasses; ++c) target[c * plane + y * width + x] = has_class(bits, c) ? 1.0F : 0.0F;
    }
  }
  repeat_first_channel(plane, input);
}

void encode_input(const uint8_t* gray, int64_t height, int64_t width, float* input) {
  const int64_t plane = height * width;
  for (int64_t i = 0; i < plane; ++i) input[i] = input_value(gray[i]);
  repeat_first_channel(plane, input);
}

}  // namespace steel::data
