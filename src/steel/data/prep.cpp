#include "steel/data/prep.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <unordered_set>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <spdlog/spdlog.h>

#include "steel/core/error.h"
#include "steel/core/parallel.h"
#include "steel/core/version.h"
#include "steel/data/augment.h"
#include "steel/data/defect_mask.h"
#include "steel/data/jpeg_header.h"
#include "steel/data/shard_writer.h"

namespace fs = std::filesystem;

namespace steel::data {
namespace {

struct Source {
  std::string image_id;
  const ImageAnnotation* annotation = nullptr;  // null for defect-free images not in the CSV
  int64_t csv_line = 0;
};

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

// FNV-1a over everything that decides a shard's content: equal ids mean the same prep run (or an identical
// rerun), so the trainer can refuse to mix folds planned differently.
std::string prep_fingerprint(const SplitPlan& plan, const std::vector<Source>& sources, const PrepOptions& o,
                             uint32_t csv_crc32) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const std::string& text) {
    for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;  // field separator
  };
  mix(std::to_string(kShardFormatVersion));
  mix(std::to_string(csv_crc32));
  mix(std::to_string(o.height) + "x" + std::to_string(o.width));
  mix(std::to_string(o.split.folds) + "/" + std::to_string(o.split.seed));
  for (const auto& r : plan.records) {
    mix(sources[r.source].image_id);
    mix(std::to_string(r.augmentation) + "@" + std::to_string(r.fold));
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// "<image path>: <problem> (<csv>:<line>)", the one form every bad-image message takes.
std::string image_problem(const Source& src, const PrepOptions& o, const std::string& problem) {
  return (fs::path(o.images_dir) / src.image_id).string() + ": " + problem +
         (src.csv_line > 0 ? " (" + o.csv + ":" + std::to_string(src.csv_line) + ")" : std::string());
}

// "" for a Kaggle-sized image, else the reason: one wording for the header check and the decoded image.
std::string size_problem(int width, int height) {
  if (width == kSourceWidth && height == kSourceHeight) return "";
  return "image is " + std::to_string(width) + "x" + std::to_string(height) + ", expected " +
         std::to_string(kSourceWidth) + "x" + std::to_string(kSourceHeight);
}

std::string split_name(int fold) { return fold < 0 ? "test" : "fold_" + std::to_string(fold); }

void validate(const PrepOptions& o) {
  if (o.csv.empty()) throw ConfigError("--csv is required");
  if (o.images_dir.empty()) throw ConfigError("--images is required");
  if (o.out_dir.empty()) throw ConfigError("--out is required");
  if (o.height < 32 || o.width < 32 || o.height % 32 != 0 || o.width % 32 != 0) {
    throw ConfigError("--height and --width must be multiples of 32 (the U-Net downsamples 5 times), got " +
                      std::to_string(o.height) + "x" + std::to_string(o.width));
  }
  if (o.compression.deflate_level < 1 || o.compression.deflate_level > 9) {
    throw ConfigError("--deflate-level must be in 1..9");
  }
  if (!fs::is_regular_file(o.csv)) throw DataError(o.csv + ": annotation CSV not found");
  if (!fs::is_directory(o.images_dir)) throw DataError(o.images_dir + ": image folder not found");
}

// One shard's worth of work: decode each source once, then derive all of its records.
std::vector<EncodedRecord> build_shard(const std::vector<PlannedRecord>& records, const std::vector<Source>& sources,
                                       const PrepOptions& o, std::atomic<int64_t>& done, int64_t total,
                                       std::vector<std::string>& skipped, std::mutex& skipped_mutex,
                                       int64_t& decoded) {
  std::vector<std::pair<std::size_t, std::size_t>> groups;  // [begin, end) per source
  for (std::size_t i = 0; i < records.size();) {
    std::size_t j = i;
    while (j < records.size() && records[j].source == records[i].source) ++j;
    groups.emplace_back(i, j);
    i = j;
  }
  std::vector<EncodedRecord> out(records.size());
  std::vector<char> ok(records.size(), 1);
  std::atomic<int64_t> decoded_here{0};
  const auto& augs = augmentations();
  parallel_for(groups.size(), o.threads, [&](std::size_t g) {
    const auto [begin, end] = groups[g];
    const Source& src = sources[records[begin].source];
    const std::string path = (fs::path(o.images_dir) / src.image_id).string();
    std::string problem;
    cv::Mat gray = cv::imread(path, cv::IMREAD_GRAYSCALE);
    if (gray.empty()) {
      problem = fs::exists(path) ? "cannot decode the image" : "image file does not exist";
    } else {
      problem = size_problem(gray.cols, gray.rows);
    }
    if (!problem.empty()) {
      const std::string message = image_problem(src, o, problem);
      if (o.on_error == OnError::kFail) throw DataError(message);
      std::lock_guard<std::mutex> lock(skipped_mutex);
      spdlog::warn("skipping {}", message);
      skipped.push_back(message);
      for (std::size_t r = begin; r < end; ++r) ok[r] = 0;
      return;
    }
    ++decoded_here;
    const cv::Mat small_image = resize_image(gray, o.height, o.width);
    const cv::Mat small_mask = src.annotation != nullptr ? decode_resized_mask(*src.annotation, o.height, o.width)
                                                         : cv::Mat(o.height, o.width, CV_8UC1, cv::Scalar(0));
    for (std::size_t r = begin; r < end; ++r) {
      const Augmentation& aug = augs[records[r].augmentation];
      cv::Mat image_out, mask_out;
      apply_augmentation(aug, small_image, small_mask, image_out, mask_out);
      EncodedRecord& rec = out[r];
      rec.meta.source_id = src.image_id;
      rec.meta.augmentation = aug.name;
      rec.meta.image_id = records[r].augmentation == 0 ? src.image_id : src.image_id + ":" + aug.name;
      const auto pixels = count_class_pixels(mask_out);
      for (int c = 0; c < kNumClasses; ++c) {
        rec.meta.defect_pixels[c] = static_cast<uint32_t>(pixels[c]);
        rec.meta.labels[c] = pixels[c] > 0 ? 1 : 0;
      }
      const std::size_t bytes = static_cast<std::size_t>(o.height) * o.width;
      rec.image_chunk = compress_image_chunk(image_out.ptr<uint8_t>(), bytes, o.compression);
      rec.mask_chunk = compress_mask_chunk(mask_out.ptr<uint8_t>(), bytes, o.compression);
    }
    const int64_t k = done += static_cast<int64_t>(end - begin);
    const int64_t step = std::max<int64_t>(500, total / 20);
    if (k / step != (k - static_cast<int64_t>(end - begin)) / step) {
      spdlog::info("steel_prep: {}/{} records", k, total);
    }
  });
  decoded += decoded_here;
  std::vector<EncodedRecord> kept;
  kept.reserve(out.size());
  for (std::size_t r = 0; r < out.size(); ++r)
    if (ok[r]) kept.push_back(std::move(out[r]));
  return kept;
}

std::string format_counts_table(const std::map<int, std::vector<const EncodedRecord*>>& shards, const SplitPlan& plan) {
  std::ostringstream s;
  // Two tables: the source images each split kept (augmented copies excluded; majority-class images that
  // balancing dropped are not in any split) and every record written (augmented copies included). The pool
  // totals before and after balancing follow.
  using Row = std::array<int64_t, kNumClasses + 2>;
  auto print_row = [&](const std::string& name, const Row& row) {
    char line[256];
    std::snprintf(line, sizeof line, "%-8s %8lld %8lld %8lld %8lld %8lld %8lld\n", name.c_str(), (long long)row[0],
                  (long long)row[1], (long long)row[2], (long long)row[3], (long long)row[4], (long long)row[5]);
    s << line;
  };
  auto table = [&](const char* title, bool originals_only) {
    char line[256];
    s << title << "\n";
    std::snprintf(line, sizeof line, "%-8s %8s %8s %8s %8s %8s %8s\n", "split", "records", "class_1", "class_2",
                  "class_3", "class_4", "clean");
    s << line;
    Row total{};
    for (const auto& [fold, records] : shards) {
      Row row{};
      for (const auto* r : records) {
        if (originals_only && r->meta.augmentation != "none") continue;
        ++row[0];
        bool any = false;
        for (int c = 0; c < kNumClasses; ++c) row[1 + c] += r->meta.labels[c], any = any || r->meta.labels[c];
        row[kNumClasses + 1] += any ? 0 : 1;
      }
      if (fold >= 0)
        for (std::size_t i = 0; i < row.size(); ++i) total[i] += row[i];
      print_row(split_name(fold), row);
    }
    print_row("folds", total);
  };
  table("source images kept per split (augmented copies excluded):", true);
  table("records per split (augmented copies included):", false);
  s << "training pool before balancing (images per class): " << plan.before_balance[0] << " " << plan.before_balance[1]
    << " " << plan.before_balance[2] << " " << plan.before_balance[3] << "\n";
  s << "after balancing to " << (plan.balance_target > 0 ? std::to_string(plan.balance_target) : std::string("(off)"))
    << " (records per class): " << plan.after_balance[0] << " " << plan.after_balance[1] << " " << plan.after_balance[2]
    << " " << plan.after_balance[3] << "\n";
  for (const auto& note : plan.notes) s << "note: " << note << "\n";
  return s.str();
}

}  // namespace

PrepResult run_prep(const PrepOptions& o) {
  validate(o);
  const auto started = std::chrono::steady_clock::now();
  PrepResult result;
  const fs::path out = fs::absolute(o.out_dir).lexically_normal();
  if (fs::exists(out) && !o.overwrite) {
    throw ConfigError(out.string() + " already exists; pass --overwrite or choose another --out");
  }

  if (o.compression.codec == ChunkCodec::kBlosc && !hdf5_has_blosc_plugin()) {
    spdlog::warn("steel_prep: this machine's HDF5 has no Blosc plugin: steel_train reads the shards, but h5py needs "
                 "`import hdf5plugin` (or Debian's hdf5-filter-plugin-blosc-serial); --compression gzip needs "
                 "neither");
  }
  TrainCsv csv = read_train_csv(o.csv, o.on_error);
  result.skipped_rows = static_cast<int64_t>(csv.skipped.size());

  // Sources: every annotated image, then defect-free images (legacy rows with no runs, or
  // JPEGs in the folder that the long-format CSV does not mention).
  std::vector<Source> defect, clean;
  std::vector<SourceLabels> defect_labels, clean_labels;
  std::vector<std::string> skipped_images;
  std::unordered_set<std::string> annotated;
  std::vector<Source> candidates;
  for (const auto& image : csv.images) {
    annotated.insert(image.image_id);
    int64_t line = 0;
    for (int c = 0; c < kNumClasses && line == 0; ++c) line = image.line[c];
    candidates.push_back({image.image_id, &image, line});
  }
  if (csv.format == CsvFormat::kLong) {
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(o.images_dir)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && annotated.count(name) == 0 && entry.path().extension() == ".jpg") files.push_back(name);
    }
    std::sort(files.begin(), files.end());
    for (const auto& name : files) candidates.push_back({name, nullptr, 0});
  }
  // Every image is checked (exists, is a JPEG, 1600x256) before planning, from its header alone: a bad image
  // skipped only after planning would silently change the test set and the balance.
  std::vector<std::string> problems(candidates.size());
  parallel_for(candidates.size(), o.threads, [&](std::size_t i) {
    const Source& src = candidates[i];
    const std::string path = (fs::path(o.images_dir) / src.image_id).string();
    std::string problem;
    if (const auto header = read_jpeg_header(path, problem)) problem = size_problem(header->width, header->height);
    if (!problem.empty()) problems[i] = image_problem(src, o, problem);
  });
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Source& src = candidates[i];
    if (!problems[i].empty()) {
      if (o.on_error == OnError::kFail) throw DataError(problems[i]);
      spdlog::warn("skipping {}", problems[i]);
      skipped_images.push_back(problems[i]);
      continue;
    }
    SourceLabels labels{src.image_id, {}};
    for (int c = 0; c < kNumClasses; ++c) labels.present[c] = src.annotation != nullptr && src.annotation->has_class(c);
    if (labels.num_present() > 0) {
      defect.push_back(src);
      defect_labels.push_back(labels);
    } else {
      clean.push_back(src);
      clean_labels.push_back(labels);
    }
  }

  const SplitPlan plan = plan_split(defect_labels, clean_labels, o.split);
  std::vector<Source> sources = defect;
  sources.insert(sources.end(), clean.begin(), clean.end());
  spdlog::info("steel_prep: {} annotated defect images, {} defect-free available; planned {} records ({} folds + test)",
               defect.size(), clean.size(), plan.records.size(), o.split.folds);

  const std::string prep_id = prep_fingerprint(plan, sources, o, csv.crc32);
  const fs::path tmp = out.parent_path() / (out.filename().string() + ".partial");
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  std::map<int, std::vector<EncodedRecord>> written;
  // We parallelise over images; OpenCV's own threads inside resize/warp would only contend.
  const int opencv_threads = cv::getNumThreads();
  cv::setNumThreads(1);
  struct RestoreOpenCvThreads {
    int n;
    ~RestoreOpenCvThreads() { cv::setNumThreads(n); }
  } restore{opencv_threads};
  try {
    std::atomic<int64_t> done{0};
    std::mutex skipped_mutex;
    int64_t decoded = 0;
    for (int fold = -1; fold < o.split.folds; ++fold) {
      std::vector<PlannedRecord> records;
      for (const auto& r : plan.records)
        if (r.fold == fold) records.push_back(r);
      std::vector<EncodedRecord> encoded = build_shard(records, sources, o, done,
                                                       static_cast<int64_t>(plan.records.size()), skipped_images,
                                                       skipped_mutex, decoded);
      ShardInfo info;
      info.split = fold < 0 ? "test" : "fold";
      info.fold = fold;
      info.num_folds = o.split.folds;
      info.height = o.height;
      info.width = o.width;
      info.seed = o.split.seed;
      info.source_csv_crc32 = hex32(csv.crc32);
      info.prep_id = prep_id;
      info.tool_version = kVersion;
      write_shard((tmp / shard_file_name(fold)).string(), info, encoded, o.compression);
      // Keep metadata only; the pixels are on disk now. (Assigning {} would keep the capacity.)
      for (auto& r : encoded) {
        r.image_chunk = std::vector<uint8_t>();
        r.mask_chunk = std::vector<uint8_t>();
      }
      result.records += static_cast<int64_t>(encoded.size());
      written[fold] = std::move(encoded);
    }
    result.source_images = decoded;

    {
      std::ofstream manifest(tmp / "manifest.csv");
      manifest << "record,image_id,source_id,augmentation,split,has_1,has_2,has_3,has_4,pixels_1,pixels_2,pixels_3,pixels_4\n";
      for (const auto& [fold, records] : written) {
        for (std::size_t i = 0; i < records.size(); ++i) {
          const auto& m = records[i].meta;
          manifest << i << ',' << m.image_id << ',' << m.source_id << ',' << m.augmentation << ',' << split_name(fold);
          for (int c = 0; c < kNumClasses; ++c) manifest << ',' << int(m.labels[c]);
          for (int c = 0; c < kNumClasses; ++c) manifest << ',' << m.defect_pixels[c];
          manifest << '\n';
        }
      }
      if (!manifest.flush()) throw DataError((tmp / "manifest.csv").string() + ": write failed");
    }
    std::map<int, std::vector<const EncodedRecord*>> views;
    for (const auto& [fold, records] : written)
      for (const auto& r : records) views[fold].push_back(&r);
    result.skipped_images = static_cast<int64_t>(skipped_images.size());
    std::ostringstream summary;
    summary << "steel_prep " << kVersion << ": " << result.records << " records from " << result.source_images
            << " source images at " << o.height << "x" << o.width << ", seed " << o.split.seed << ", csv crc32 "
            << hex32(csv.crc32) << "\n";
    summary << format_counts_table(views, plan);
    summary << "skipped: " << result.skipped_rows << " CSV rows/images, " << result.skipped_images << " image files\n";
    for (const auto& s : csv.skipped) summary << "  " << s.message << "\n";
    for (const auto& s : skipped_images) summary << "  " << s << "\n";
    result.summary = summary.str();
    std::ofstream(tmp / "summary.txt") << result.summary;
  } catch (...) {
    fs::remove_all(tmp);
    throw;
  }
  if (fs::exists(out)) fs::remove_all(out);
  fs::rename(tmp, out);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("steel_prep: wrote {} in {:.1f} s ({:.0f} source images/s)\n{}", out.string(), seconds,
               result.source_images / std::max(seconds, 1e-9), result.summary);
  return result;
}

}  // namespace steel::data
