// Severstal run-length encoding: "start length" pairs, 1-based, pixels numbered column-major
// (top to bottom, then left to right), as in the Kaggle competition's train.csv and submissions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace steel::data {

/// One run: `start` is the 0-based column-major pixel index, `length` >= 1.
struct Run {
  int64_t start = 0;
  int64_t length = 0;
};

/// Parses and validates an EncodedPixels string for an image of height x width. Checks an even
/// token count, numeric tokens, start >= 1, length >= 1, every run inside the image, and runs
/// sorted and non-overlapping. Throws std::invalid_argument with a message saying which token or
/// run is wrong (the caller adds the file and line). An empty string is no runs.
std::vector<Run> parse_rle(std::string_view text, int64_t height, int64_t width);

/// Sets `value` into a row-major height x width byte mask wherever the runs cover it
/// (mask[y*width + x] |= value), converting from the column-major RLE order.
void paint_runs(const std::vector<Run>& runs, int64_t height, int64_t width, uint8_t value,
                uint8_t* mask_row_major);

/// Encodes the pixels of a row-major mask where (mask & bit) != 0 as an EncodedPixels string.
std::string encode_rle(const uint8_t* mask_row_major, int64_t height, int64_t width,
                       uint8_t bit = 0xFF);

}  // namespace steel::data
