#include "steel/data/rle.h"

#include <charconv>
#include <stdexcept>

namespace steel::data {
namespace {

bool next_token(std::string_view text, std::size_t& pos, std::string_view& token) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
  if (pos >= text.size()) return false;
  const std::size_t begin = pos;
  while (pos < text.size() && text[pos] != ' ' && text[pos] != '\t') ++pos;
  token = text.substr(begin, pos - begin);
  return true;
}

int64_t to_int(std::string_view token, std::size_t index) {
  int64_t value = 0;
  const auto* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (token.empty() || token[0] < '0' || token[0] > '9' || ec != std::errc() || ptr != end) {
    throw std::invalid_argument("EncodedPixels token " + std::to_string(index + 1) + " ('" +
                                std::string(token) + "') is not a non-negative integer");
  }
  return value;
}

}  // namespace

std::vector<Run> parse_rle(std::string_view text, int64_t height, int64_t width) {
  std::vector<int64_t> numbers;
  std::size_t pos = 0;
  std::string_view token;
  while (next_token(text, pos, token)) numbers.push_back(to_int(token, numbers.size()));
  if (numbers.size() % 2 != 0) {
    throw std::invalid_argument("EncodedPixels has an odd number of tokens (" +
                                std::to_string(numbers.size()) + "); expected start/length pairs");
  }
  const int64_t total = height * width;
  std::vector<Run> runs;
  runs.reserve(numbers.size() / 2);
  int64_t previous_end = 0;  // one past the last pixel of the previous run, 0-based
  for (std::size_t i = 0; i < numbers.size(); i += 2) {
    const int64_t start = numbers[i];
    const int64_t length = numbers[i + 1];
    // The run's description is only built for an error: a valid image has thousands of runs.
    auto which = [&] {
      return "run " + std::to_string(i / 2 + 1) + " (" + std::to_string(start) + " " + std::to_string(length) + ")";
    };
    if (start < 1) throw std::invalid_argument(which() + ": start must be >= 1 (pixels are 1-based)");
    if (length < 1) throw std::invalid_argument(which() + ": length must be >= 1");
    if (start - 1 + length > total) {
      throw std::invalid_argument(which() + ": runs past the last pixel " + std::to_string(total) +
                                  " of a " + std::to_string(width) + "x" + std::to_string(height) +
                                  " image");
    }
    if (start - 1 < previous_end) {
      throw std::invalid_argument(which() + ": overlaps or precedes the previous run, which ends at pixel " +
                                  std::to_string(previous_end) + "; runs must be sorted and disjoint");
    }
    runs.push_back({start - 1, length});
    previous_end = start - 1 + length;
  }
  return runs;
}

void paint_runs(const std::vector<Run>& runs, int64_t height, int64_t width, uint8_t value,
                uint8_t* mask) {
  for (const Run& run : runs) {
    int64_t p = run.start;
    const int64_t end = run.start + run.length;
    while (p < end) {
      // Walk one column segment at a time: column-major index p is (x = p / H, y = p % H).
      const int64_t x = p / height;
      const int64_t y = p % height;
      const int64_t segment = std::min(end - p, height - y);
      uint8_t* out = mask + y * width + x;
      for (int64_t k = 0; k < segment; ++k, out += width) *out |= value;
      p += segment;
    }
  }
}

std::string encode_rle(const uint8_t* mask, int64_t height, int64_t width, uint8_t bit) {
  std::string out;
  int64_t run_start = -1;
  const int64_t total = height * width;
  for (int64_t p = 0; p <= total; ++p) {
    bool on = false;
    if (p < total) on = (mask[(p % height) * width + p / height] & bit) != 0;
    if (on && run_start < 0) run_start = p;
    if (!on && run_start >= 0) {
      if (!out.empty()) out += ' ';
      out += std::to_string(run_start + 1);
      out += ' ';
      out += std::to_string(p - run_start);
      run_start = -1;
    }
  }
  return out;
}

}  // namespace steel::data
