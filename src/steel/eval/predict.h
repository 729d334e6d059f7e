// steel_predict's engine: raw Severstal JPEGs -> the fold ensemble -> full-resolution masks as a Kaggle submission.
#pragma once

#include <cstdint>
#include <string>

namespace steel::eval {

struct PredictOptions {
  std::string run_dir;     ///< runs/<backbone> with finished folds
  std::string images_dir;  ///< *.jpg, 1600x256 (any size is resized like steel_prep did)
  std::string out_csv = "submission.csv";
  /// "kaggle": `ImageId,EncodedPixels,ClassId`, the competition's format after its 2019 data update (and the
  /// layout of its later train.csv); "legacy": the launch format `ImageId_ClassId,EncodedPixels`.
  std::string format = "kaggle";
  double threshold = 0.5;
  int64_t min_pixels = 200;  ///< at the model's resolution (the thesis's rule); smaller classes are dropped
  int batch_size = 8;
  std::string device = "auto";
  std::string overlays_dir;  ///< if set, a contour picture per image is written here
  int threads = 0;
};

/// Predicts every *.jpg of images_dir (sorted by name) with the mean of the fold models' probabilities at the
/// training resolution, upsamples the probabilities bilinearly to the image's own size, thresholds them, drops
/// classes with no more than min_pixels pixels above the threshold at the model resolution, and writes 4 rows
/// per image (one per class; column-major 1-based RLE, empty when absent) in `format` to out_csv atomically.
/// With overlays_dir set, also a picture per image with the predicted contours alone (there is no ground truth).
/// Returns the number of images. An unreadable image is a DataError naming it.
int64_t run_predict(const PredictOptions& options);

}  // namespace steel::eval
