// steel_synth's library half: a generator of a Severstal-like dataset in the exact Kaggle layout.
#pragma once

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

#include "steel/data/train_csv.h"

namespace steel::data {

struct SynthOptions {
  std::string out_dir;            ///< created; must not exist unless `overwrite`
  int64_t images = 200;           ///< number of images (the real set has 12,568)
  uint64_t seed = 1;
  bool legacy_csv = false;        ///< write "ImageId_ClassId,EncodedPixels" (4 rows per image)
  double clean_fraction = 0.47;   ///< share of defect-free images (real data: about half)
  double multi_fraction = 0.06;   ///< share of defect images that carry a second class
  int jpeg_quality = 90;
  int threads = 0;                ///< 0 = every core
  bool overwrite = false;
};

/// The generated content of one image, before encoding: the 3-channel picture and class bitfield.
struct SynthImage {
  cv::Mat bgr;   ///< 256x1600 CV_8UC3, gray replicated as in the originals
  cv::Mat mask;  ///< 256x1600 CV_8UC1 class bitfield
};

/// Renders image `index` of a dataset with `seed`. Deterministic: depends on (seed, index) only.
SynthImage render_synthetic_image(uint64_t seed, int64_t index, const SynthOptions& options);

/// The 9-hex-digit image id of image `index` (Kaggle ids look like "0002cc93b").
std::string synthetic_image_id(uint64_t seed, int64_t index);

/// Writes OUT/train_images/<id>.jpg and OUT/train.csv. Builds everything in a sibling
/// temporary folder and renames it into place, so an interrupted run leaves nothing behind.
void run_synth(const SynthOptions& options);

}  // namespace steel::data
