#include "steel/data/train_csv.h"

#include <zlib.h>

#include <fstream>
#include <string_view>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "steel/core/error.h"

namespace steel::data {
namespace {

std::vector<std::string> split_fields(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  std::size_t plain = 0;  // start of the run of ordinary characters not yet copied
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c != '"' && (c != ',' || quoted)) continue;
    // Whole runs are appended at once: an EncodedPixels field is tens of kilobytes.
    fields.back().append(line.substr(plain, i - plain));
    plain = i + 1;
    if (c == '"') {
      quoted = !quoted;
    } else {
      fields.emplace_back();
    }
  }
  fields.back().append(line.substr(plain));
  return fields;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

int parse_class_id(const std::string& text) {
  if (text.size() != 1 || text[0] < '1' || text[0] > '4') {
    throw std::invalid_argument("ClassId '" + text + "' is not one of 1, 2, 3, 4");
  }
  return text[0] - '0';
}

}  // namespace

int ImageAnnotation::num_classes_present() const {
  int n = 0;
  for (int c = 0; c < kNumClasses; ++c) n += has_class(c) ? 1 : 0;
  return n;
}

TrainCsv read_train_csv(const std::string& path, OnError on_error, int64_t height, int64_t width) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw DataError(path + ": cannot open the annotation CSV");
  const std::streamoff size = in.tellg();
  if (size < 0) throw DataError(path + ": cannot tell the annotation CSV's size (not a regular file?)");
  std::string content(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(content.data(), static_cast<std::streamsize>(content.size()))) {
    throw DataError(path + ": cannot read the annotation CSV");
  }

  TrainCsv csv;
  csv.path = path;
  csv.crc32 = static_cast<uint32_t>(
      ::crc32(0L, reinterpret_cast<const Bytef*>(content.data()), static_cast<uInt>(content.size())));
  if (content.rfind("\xEF\xBB\xBF", 0) == 0) content.erase(0, 3);

  std::unordered_map<std::string, std::size_t> index_of;
  std::unordered_set<std::string> bad_images;
  std::unordered_map<std::string, std::size_t> rows_per_image;
  std::string_view rest(content);
  std::string_view line;
  int64_t line_no = 0;
  bool header_seen = false;

  auto reject = [&](const std::string& image_id, const std::string& reason) {
    const std::string message = path + ":" + std::to_string(line_no) + ": " + reason;
    if (on_error == OnError::kFail) throw DataError(message);
    spdlog::warn("skipping image '{}': {}", image_id, message);
    csv.skipped.push_back({image_id, message});
    if (!image_id.empty()) bad_images.insert(image_id);
  };

  while (!rest.empty()) {
    const std::size_t newline = rest.find('\n');
    line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!header_seen) {
      const std::string header = trim(line);
      if (header == "ImageId,ClassId,EncodedPixels") {
        csv.format = CsvFormat::kLong;
      } else if (header == "ImageId_ClassId,EncodedPixels") {
        csv.format = CsvFormat::kLegacy;
      } else {
        throw DataError(path + ":" + std::to_string(line_no) + ": unrecognised header '" + header +
                        "'; expected 'ImageId,ClassId,EncodedPixels' or "
                        "'ImageId_ClassId,EncodedPixels'");
      }
      header_seen = true;
      continue;
    }
    if (trim(line).empty()) continue;
    const std::vector<std::string> fields = split_fields(line);
    std::string image_id, class_text, encoded;
    const std::size_t expected = csv.format == CsvFormat::kLong ? 3 : 2;
    if (fields.size() != expected) {
      reject(fields.empty() ? "" : trim(fields[0]),
             "expected " + std::to_string(expected) + " fields, found " + std::to_string(fields.size()));
      continue;
    }
    if (csv.format == CsvFormat::kLong) {
      image_id = trim(fields[0]);
      class_text = trim(fields[1]);
      encoded = trim(fields[2]);
    } else {
      const std::string key = trim(fields[0]);
      const std::size_t underscore = key.rfind('_');
      if (underscore == std::string::npos) {
        reject(key, "ImageId_ClassId '" + key + "' has no '_<class>' suffix");
        continue;
      }
      image_id = key.substr(0, underscore);
      class_text = key.substr(underscore + 1);
      encoded = trim(fields[1]);
    }
    if (image_id.empty()) {
      reject(image_id, "empty ImageId");
      continue;
    }
    int class_id = 0;
    std::vector<Run> runs;
    try {
      class_id = parse_class_id(class_text);
      runs = parse_rle(encoded, height, width);
    } catch (const std::invalid_argument& e) {
      reject(image_id, e.what());
      continue;
    }
    auto [it, inserted] = index_of.emplace(image_id, csv.images.size());
    if (inserted) {
      csv.images.emplace_back();
      csv.images.back().image_id = image_id;
    }
    ImageAnnotation& image = csv.images[it->second];
    const int c = class_id - 1;
    if (image.line[c] != 0) {
      reject(image_id, "duplicate row for image '" + image_id + "' class " + class_text +
                           " (first seen on line " + std::to_string(image.line[c]) + ")");
      continue;
    }
    image.line[c] = line_no;
    image.runs[c] = std::move(runs);
    ++rows_per_image[image_id];
  }
  if (!header_seen) throw DataError(path + ": the file is empty; expected a header line");

  if (csv.format == CsvFormat::kLegacy) {
    // The legacy format lists every class of every image; a missing row means a truncated file.
    for (const auto& image : csv.images) {
      if (bad_images.count(image.image_id) == 0 && rows_per_image[image.image_id] != kNumClasses) {
        // Point at the image's first row: any class's row may be the missing one.
        line_no = 0;
        for (int c = 0; c < kNumClasses; ++c) {
          if (image.line[c] != 0 && (line_no == 0 || image.line[c] < line_no)) line_no = image.line[c];
        }
        reject(image.image_id, "image '" + image.image_id + "' has " +
                                   std::to_string(rows_per_image[image.image_id]) +
                                   " rows; the ImageId_ClassId format needs one per class (4)");
      }
    }
  }
  if (!bad_images.empty()) {
    std::vector<ImageAnnotation> kept;
    kept.reserve(csv.images.size());
    for (auto& image : csv.images) {
      if (bad_images.count(image.image_id) == 0) kept.push_back(std::move(image));
    }
    csv.images = std::move(kept);
  }
  return csv;
}

void write_train_csv(const std::string& path, const std::vector<std::string>& image_ids,
                     const std::vector<std::array<std::string, kNumClasses>>& encoded,
                     CsvFormat format) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw DataError(tmp + ": cannot open for writing");
    if (format == CsvFormat::kLong) {
      out << "ImageId,ClassId,EncodedPixels\n";
      for (std::size_t i = 0; i < image_ids.size(); ++i) {
        for (int c = 0; c < kNumClasses; ++c) {
          if (!encoded[i][c].empty()) out << image_ids[i] << ',' << (c + 1) << ',' << encoded[i][c] << '\n';
        }
      }
    } else {
      out << "ImageId_ClassId,EncodedPixels\n";
      for (std::size_t i = 0; i < image_ids.size(); ++i) {
        for (int c = 0; c < kNumClasses; ++c) out << image_ids[i] << '_' << (c + 1) << ',' << encoded[i][c] << '\n';
      }
    }
    out.flush();
    if (!out) throw DataError(tmp + ": write failed (disk full?)");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw DataError(path + ": cannot rename from " + tmp);
}

}  // namespace steel::data
