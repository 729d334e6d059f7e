#include "steel/data/synth.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <set>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <spdlog/spdlog.h>

#include "steel/core/error.h"
#include "steel/core/parallel.h"
#include "steel/core/seeded_random.h"
#include "steel/data/record_encoding.h"

namespace fs = std::filesystem;

namespace steel::data {
namespace {

// Real-data class mix of defect rows (thesis Fig. "defect distribution"): 12.6 / 3.5 / 72.6 / 11.3 %.
constexpr double kClassWeights[kNumClasses] = {0.126, 0.035, 0.726, 0.113};

int draw_class(cv::RNG& rng, int exclude = -1) {
  double total = 0;
  for (int c = 0; c < kNumClasses; ++c) total += c == exclude ? 0 : kClassWeights[c];
  double u = rng.uniform(0.0, total);
  for (int c = 0; c < kNumClasses; ++c) {
    if (c == exclude) continue;
    if (u < kClassWeights[c]) return c;
    u -= kClassWeights[c];
  }
  return exclude == kNumClasses - 1 ? kNumClasses - 2 : kNumClasses - 1;
}

// Steel texture: a brightness level, horizontal rolling marks (row profile), a slow lighting
// gradient across the strip (column profile) and sensor noise.
cv::Mat render_texture(cv::RNG& rng, int h, int w) {
  const double level = rng.uniform(85.0, 145.0);
  std::vector<float> row(h), col(w);
  const double f1 = rng.uniform(0.05, 0.4), f2 = rng.uniform(0.6, 1.5), p1 = rng.uniform(0.0, 6.3);
  const double a1 = rng.uniform(2.0, 8.0), a2 = rng.uniform(1.0, 4.0);
  for (int y = 0; y < h; ++y) {
    row[y] = static_cast<float>(a1 * std::sin(f1 * y + p1) + a2 * std::sin(f2 * y) + rng.gaussian(2.5));
  }
  const double slope = rng.uniform(-20.0, 20.0), bend = rng.uniform(-15.0, 15.0);
  for (int x = 0; x < w; ++x) {
    const double t = static_cast<double>(x) / w - 0.5;
    col[x] = static_cast<float>(level + slope * t + bend * (4 * t * t - 1.0 / 3));
  }
  cv::Mat img(h, w, CV_32FC1);
  for (int y = 0; y < h; ++y) {
    float* out = img.ptr<float>(y);
    for (int x = 0; x < w; ++x) out[x] = row[y] + col[x];
  }
  // A few long rolling streaks, brighter or darker than their surroundings.
  const int streaks = rng.uniform(2, 7);
  for (int s = 0; s < streaks; ++s) {
    const int y = rng.uniform(0, h);
    const int x0 = rng.uniform(-200, w), len = rng.uniform(300, 1600);
    cv::line(img, {x0, y}, {x0 + len, y}, cv::Scalar(rng.uniform(-6.0, 6.0)), 1);
  }
  cv::Mat noise(h, w, CV_32FC1);
  rng.fill(noise, cv::RNG::NORMAL, 0.0, rng.uniform(3.0, 6.0));
  img += noise;
  return img;
}

// Each defect draws a contrast change into `delta` and its footprint into `plane` (0/255).
void draw_pits(cv::RNG& rng, cv::Mat& delta, cv::Mat& plane) {
  const int h = delta.rows, w = delta.cols;
  const cv::Point centre(rng.uniform(40, w - 40), rng.uniform(20, h - 20));
  const int radius = rng.uniform(18, 60);
  const int pits = rng.uniform(10, 40);
  const double sign = rng.uniform(0.0, 1.0) < 0.8 ? -1.0 : 1.0;
  for (int i = 0; i < pits; ++i) {
    const cv::Point p(centre.x + static_cast<int>(rng.gaussian(radius * 0.5)),
                      centre.y + static_cast<int>(rng.gaussian(radius * 0.35)));
    const int r = rng.uniform(1, 4);
    cv::circle(delta, p, r, cv::Scalar(sign * rng.uniform(45.0, 80.0)), cv::FILLED, cv::LINE_AA);
    cv::circle(plane, p, r + 2, cv::Scalar(255), cv::FILLED);
  }
}

void draw_crack(cv::RNG& rng, cv::Mat& delta, cv::Mat& plane) {
  const int h = delta.rows, w = delta.cols;
  const int length = rng.uniform(60, h);
  int x = rng.uniform(20, w - 20);
  const int y0 = rng.uniform(0, h - length + 1);
  std::vector<cv::Point> path;
  for (int y = y0; y < y0 + length; y += 4) {
    path.emplace_back(x, y);
    x += rng.uniform(-2, 3);
  }
  const int thickness = rng.uniform(1, 3);
  const double depth = -rng.uniform(55.0, 90.0);
  cv::polylines(delta, path, false, cv::Scalar(depth), thickness, cv::LINE_AA);
  cv::polylines(plane, path, false, cv::Scalar(255), thickness + 4);
}

void draw_scratch(cv::RNG& rng, cv::Mat& delta, cv::Mat& plane) {
  const int h = delta.rows, w = delta.cols;
  const int count = rng.uniform(1, 4);
  const double sign = rng.uniform(0.0, 1.0) < 0.6 ? 1.0 : -1.0;
  const int base_y = rng.uniform(15, h - 15);
  for (int i = 0; i < count; ++i) {
    const int len = rng.uniform(150, 900);
    const int x0 = rng.uniform(0, std::max(1, w - len));
    const int y = std::clamp(base_y + rng.uniform(-25, 26), 3, h - 4);
    const int dy = rng.uniform(-8, 9);
    if (rng.uniform(0.0, 1.0) < 0.65) {
      const int thickness = rng.uniform(2, 6);
      cv::line(delta, {x0, y}, {x0 + len, y + dy}, cv::Scalar(sign * rng.uniform(35.0, 60.0)), thickness,
               cv::LINE_AA);
      cv::line(plane, {x0, y}, {x0 + len, y + dy}, cv::Scalar(255), thickness + 4);
    } else {  // a scuff: a long, flat, lighter band
      const cv::Point centre(x0 + len / 2, y);
      const cv::Size axes(len / 2, rng.uniform(5, 16));
      const double angle = rng.uniform(-2.0, 2.0);
      cv::ellipse(delta, centre, axes, angle, 0, 360, cv::Scalar(sign * rng.uniform(25.0, 45.0)), cv::FILLED,
                  cv::LINE_AA);
      cv::ellipse(plane, centre, axes + cv::Size(2, 2), angle, 0, 360, cv::Scalar(255), cv::FILLED);
    }
  }
}

void draw_blob(cv::RNG& rng, cv::Mat& delta, cv::Mat& plane) {
  const int h = delta.rows, w = delta.cols;
  const cv::Point centre(rng.uniform(60, w - 60), rng.uniform(40, h - 40));
  const double rx = rng.uniform(50.0, 180.0), ry = rng.uniform(30.0, 90.0);
  const int vertices = rng.uniform(10, 17);
  std::vector<cv::Point> poly;
  for (int v = 0; v < vertices; ++v) {
    const double a = 2 * M_PI * v / vertices;
    const double k = rng.uniform(0.65, 1.15);
    poly.emplace_back(centre.x + static_cast<int>(rx * k * std::cos(a)),
                      centre.y + static_cast<int>(ry * k * std::sin(a)));
  }
  std::vector<std::vector<cv::Point>> polys{poly};
  cv::fillPoly(delta, polys, cv::Scalar(-rng.uniform(45.0, 75.0)), cv::LINE_AA);
  cv::fillPoly(plane, polys, cv::Scalar(255));
}

}  // namespace

std::string synthetic_image_id(uint64_t seed, int64_t index) {
  const uint64_t h = splitmix64(splitmix64(seed) ^ static_cast<uint64_t>(index));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%09llx", static_cast<unsigned long long>(h & 0xFFFFFFFFFull));
  return buf;
}

SynthImage render_synthetic_image(uint64_t seed, int64_t index, const SynthOptions& options) {
  const int h = static_cast<int>(kSourceHeight), w = static_cast<int>(kSourceWidth);
  cv::RNG rng(splitmix64(seed * 1000003ull + static_cast<uint64_t>(index)));
  cv::Mat img = render_texture(rng, h, w);
  SynthImage out;
  out.mask = cv::Mat(h, w, CV_8UC1, cv::Scalar(0));

  std::vector<int> classes;
  if (rng.uniform(0.0, 1.0) >= options.clean_fraction) {
    classes.push_back(draw_class(rng));
    if (rng.uniform(0.0, 1.0) < options.multi_fraction) classes.push_back(draw_class(rng, classes[0]));
  }
  for (int c : classes) {
    cv::Mat delta(h, w, CV_32FC1, cv::Scalar(0));
    cv::Mat plane(h, w, CV_8UC1, cv::Scalar(0));
    const int instances = c == 2 ? rng.uniform(1, 3) : 1;
    for (int i = 0; i < instances; ++i) {
      switch (c) {
        case 0: draw_pits(rng, delta, plane); break;
        case 1: draw_crack(rng, delta, plane); break;
        case 2: draw_scratch(rng, delta, plane); break;
        default: draw_blob(rng, delta, plane); break;
      }
    }
    cv::GaussianBlur(delta, delta, cv::Size(3, 3), 0.8);
    img += delta;
    out.mask.setTo(cv::Scalar(class_bit(c)), plane);  // a later class overwrites: Kaggle masks rarely overlap
  }
  cv::Mat gray;
  img.convertTo(gray, CV_8UC1);  // saturating
  cv::cvtColor(gray, out.bgr, cv::COLOR_GRAY2BGR);
  return out;
}

void run_synth(const SynthOptions& options) {
  if (options.out_dir.empty()) throw ConfigError("--out: an output folder is required");
  if (options.images < 1) throw ConfigError("--images must be at least 1");
  if (options.jpeg_quality < 1 || options.jpeg_quality > 100) throw ConfigError("--jpeg-quality must be in 1..100");
  const fs::path out = fs::absolute(options.out_dir).lexically_normal();
  if (fs::exists(out) && !options.overwrite) {
    throw ConfigError(out.string() + " already exists; pass --overwrite or choose another --out");
  }
  const fs::path tmp = out.parent_path() / (out.filename().string() + ".partial");
  fs::remove_all(tmp);
  fs::create_directories(tmp / "train_images");

  const auto n = static_cast<std::size_t>(options.images);
  std::vector<std::string> ids(n);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < n; ++i) {
    // Kaggle's ImageId is the file name, extension included ("0002cc93b.jpg").
    ids[i] = synthetic_image_id(options.seed, static_cast<int64_t>(i)) + ".jpg";
    for (uint64_t salt = 1; !seen.insert(ids[i]).second; ++salt) {
      ids[i] = synthetic_image_id(options.seed + salt * 0x51ED27ull, static_cast<int64_t>(i)) + ".jpg";
    }
  }
  std::vector<std::array<std::string, kNumClasses>> encoded(n);
  std::atomic<std::size_t> done{0};
  const std::vector<int> jpeg_params{cv::IMWRITE_JPEG_QUALITY, options.jpeg_quality};
  try {
    parallel_for(n, options.threads, [&](std::size_t i) {
      const SynthImage image = render_synthetic_image(options.seed, static_cast<int64_t>(i), options);
      const std::string path = (tmp / "train_images" / ids[i]).string();
      if (!cv::imwrite(path, image.bgr, jpeg_params)) throw DataError(path + ": cannot write JPEG");
      for (int c = 0; c < kNumClasses; ++c) {
        encoded[i][c] = encode_rle(image.mask.ptr<uint8_t>(), kSourceHeight, kSourceWidth,
                                   class_bit(c));
      }
      const std::size_t k = ++done;
      if (k % 1000 == 0 || k == n) spdlog::info("steel_synth: {}/{} images", k, n);
    });
    write_train_csv((tmp / "train.csv").string(), ids, encoded,
                    options.legacy_csv ? CsvFormat::kLegacy : CsvFormat::kLong);
  } catch (...) {
    fs::remove_all(tmp);
    throw;
  }
  if (fs::exists(out)) fs::remove_all(out);
  fs::rename(tmp, out);

  std::array<int64_t, kNumClasses> rows{};
  int64_t clean = 0, multi = 0;
  for (const auto& e : encoded) {
    int present = 0;
    for (int c = 0; c < kNumClasses; ++c) present += e[c].empty() ? 0 : 1, rows[c] += e[c].empty() ? 0 : 1;
    clean += present == 0;
    multi += present > 1;
  }
  spdlog::info("steel_synth: wrote {} images to {} ({} defect-free, {} with two classes; defect rows per class "
               "1-4: {} {} {} {})",
               n, out.string(), clean, multi, rows[0], rows[1], rows[2], rows[3]);
}

}  // namespace steel::data
