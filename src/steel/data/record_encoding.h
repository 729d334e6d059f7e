// How a record's pixels become the model's input and target, written once for every reader and writer: the
// mask's class bitfield (shard_format.h stores it) and the input transform (gray /255, repeated to 3 channels).
#pragma once

#include <cstdint>

#include "steel/data/train_csv.h"

namespace steel::data {

/// The mask bit of class index c (0-based; the Kaggle ClassId is c + 1).
constexpr uint8_t class_bit(int class_index) { return static_cast<uint8_t>(1U << class_index); }

/// Whether a mask pixel's bitfield holds class index c.
constexpr bool has_class(uint8_t bits, int class_index) { return ((bits >> class_index) & 1U) != 0; }

/// A gray level as the model sees it: [0, 1], multiplied by the float reciprocal (as the trainer always has).
constexpr float input_value(uint8_t gray) { return static_cast<float>(gray) * (1.0F / 255.0F); }

/// The ImageNet encoders take 3 channels; a gray record is repeated into each.
constexpr int kInputChannels = 3;

/// One record, flipped as asked, into the model's input [kInputChannels,H,W] and target [kNumClasses,H,W]
/// (0 or 1 per class), both float32 and contiguous.
void decode_record(const uint8_t* image, const uint8_t* mask, int64_t height, int64_t width, bool hflip, bool vflip,
                   float* input, float* target);

/// A gray image (no mask, no flips) into the model's input [kInputChannels,H,W]: what steel_predict feeds.
void encode_input(const uint8_t* gray, int64_t height, int64_t width, float* input);

}  // namespace steel::data
