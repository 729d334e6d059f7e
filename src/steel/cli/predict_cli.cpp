#include "steel/cli/predict_cli.h"

#include <boost/program_options.hpp>

#include "steel/cli/parse_command_line.h"
#include "steel/core/error.h"
#include "steel/eval/single_process.h"
#include "steel/train/device_name.h"

namespace po = boost::program_options;

namespace steel::cli {
namespace {

constexpr const char* kUsage =
    "steel_predict --model runs/<backbone> --images DIR [--out submission.csv]: the fold ensemble's\n"
    "masks for raw images, at their own resolution, as a Kaggle submission.";

}  // namespace

std::optional<eval::PredictOptions> parse_predict_cli(int argc, const char* const* argv) {
  eval::PredictOptions o;
  po::options_description desc("Options");
  desc.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("model", po::value(&o.run_dir)->required(), "a steel_train run folder (runs/<backbone>): its finished folds")
      ("images", po::value(&o.images_dir)->required(), "folder of raw .jpg images (e.g. Kaggle's test_images)")
      ("out", po::value(&o.out_csv)->default_value(o.out_csv), "submission CSV, 4 rows per image")
      ("format", po::value(&o.format)->default_value(o.format),
       "kaggle: ImageId,EncodedPixels,ClassId (the competition's final format); legacy: ImageId_ClassId,EncodedPixels")
      ("threshold", po::value(&o.threshold)->default_value(o.threshold, "0.5"), "pixel probability threshold")
      ("min-pixels", po::value(&o.min_pixels)->default_value(o.min_pixels),
       "drop a class when no more pixels than this are above the threshold (at the model's resolution)")
      ("batch-size", po::value(&o.batch_size)->default_value(o.batch_size), "images per forward pass")
      ("device", po::value(&o.device)->default_value(o.device), "cpu, cuda or auto")
      ("overlays", po::value(&o.overlays_dir)->default_value(o.overlays_dir),
       "if set: write a contour picture per image into this folder")
      ("threads", po::value(&o.threads)->default_value(o.threads), "intra-op threads (0: OMP_NUM_THREADS if set, else every usable CPU)");
  if (!parse_command_line("steel_predict", kUsage, desc, argc, argv)) {
    return std::nullopt;
  }
  if (o.threshold <= 0 || o.threshold >= 1) throw ConfigError("--threshold must be in (0, 1)");
  if (o.min_pixels < 0) throw ConfigError("--min-pixels must be 0 or more");
  if (o.batch_size < 1) throw ConfigError("--batch-size must be at least 1");
  if (o.format != "kaggle" && o.format != "legacy") {
    throw ConfigError("--format '" + o.format + "': expected kaggle or legacy");
  }
  train::check_device_name(o.device);
  // After the options, so that --help works under any launcher and a bad option is reported as such.
  eval::require_single_process("steel_predict");
  return o;
}

}  // namespace steel::cli
