// Reader for the Kaggle Severstal annotation CSV in both of its published formats.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "steel/data/rle.h"

namespace steel::data {

constexpr int kNumClasses = 4;
constexpr int64_t kSourceHeight = 256;
constexpr int64_t kSourceWidth = 1600;

enum class CsvFormat {
  kLong,    ///< "ImageId,ClassId,EncodedPixels": one row per (image, defect class) present.
  kLegacy,  ///< "ImageId_ClassId,EncodedPixels": four rows per image, empty when absent.
};

enum class OnError { kFail, kSkip };

/// The annotations of one image: runs per class (empty when absent) and the CSV line of each.
struct ImageAnnotation {
  std::string image_id;
  std::array<std::vector<Run>, kNumClasses> runs;
  std::array<int64_t, kNumClasses> line{};  ///< 1-based CSV line of the class's row, 0 if none
  bool has_class(int class_index) const { return !runs[class_index].empty(); }
  int num_classes_present() const;
};

/// What was rejected, one entry per skipped row or image, each naming file, line and reason.
struct SkipRecord {
  std::string image_id;
  std::string message;
};

struct TrainCsv {
  std::string path;
  CsvFormat format = CsvFormat::kLong;
  uint32_t crc32 = 0;  ///< checksum of the file's bytes, stored in every shard
  /// Every annotated image in order of first appearance. With the long format only images with
  /// at least one defect appear; with the legacy format defect-free images appear too.
  std::vector<ImageAnnotation> images;
  std::vector<SkipRecord> skipped;
};

/// Reads and validates the CSV. Accepts a UTF-8 BOM and LF or CRLF line endings; detects the
/// format from the header. Every row is checked (field count, ClassId in 1..4, no duplicate
/// (ImageId, ClassId), RLE valid for a height x width image). With OnError::kFail the first
/// problem throws DataError "<path>:<line>: <reason>"; with kSkip the offending image is
/// dropped entirely (a partial set of masks would be a wrong label) and listed in `skipped`.
TrainCsv read_train_csv(const std::string& path, OnError on_error,
                        int64_t height = kSourceHeight, int64_t width = kSourceWidth);

/// Writes annotations in the chosen format (used by steel_synth and the tests).
void write_train_csv(const std::string& path, const std::vector<std::string>& image_ids,
                     const std::vector<std::array<std::string, kNumClasses>>& encoded,
                     CsvFormat format);

}  // namespace steel::data
