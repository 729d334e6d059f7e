#include "steel/cli/eval_cli.h"

#include <boost/program_options.hpp>

#include "steel/cli/parse_command_line.h"
#include "steel/core/error.h"
#include "steel/eval/single_process.h"
#include "steel/train/device_name.h"

namespace po = boost::program_options;

namespace steel::cli {
namespace {

constexpr const char* kUsage =
    "steel_eval --run runs/<backbone> --data PREP_DIR: scores every fold's best model and their\n"
    "ensemble on the held-out test set; writes test_metrics.csv and overlays/ into the run folder.";

}  // namespace

std::optional<eval::EvalOptions> parse_eval_cli(int argc, const char* const* argv) {
  eval::EvalOptions o;
  po::options_description desc("Options");
  desc.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("run", po::value(&o.run_dir)->required(), "a steel_train run folder: runs/<backbone>")
      ("data", po::value(&o.data_dir)->required(), "the steel_prep folder it was trained on (uses test.h5)")
      ("threshold", po::value(&o.threshold)->default_value(o.threshold, "0.5"), "pixel probability threshold")
      ("min-pixels", po::value(&o.min_pixels)->default_value(o.min_pixels),
       "a class counts as present in an image when more pixels than this are above the threshold")
      ("batch-size", po::value(&o.batch_size)->default_value(o.batch_size), "images per forward pass")
      ("device", po::value(&o.device)->default_value(o.device), "cpu, cuda or auto")
      ("overlays", po::value(&o.overlays)->default_value(o.overlays),
       "test images drawn with ground-truth and predicted contours (and a quarter as many per validation fold)")
      ("loader-threads", po::value(&o.loader_threads)->default_value(o.loader_threads), "prefetch workers")
      ("threads", po::value(&o.threads)->default_value(o.threads), "intra-op threads (0: OMP_NUM_THREADS if set, else every usable CPU)");
  if (!parse_command_line("steel_eval", kUsage, desc, argc, argv)) {
    return std::nullopt;
  }
  if (o.threshold <= 0 || o.threshold >= 1) throw ConfigError("--threshold must be in (0, 1)");
  if (o.min_pixels < 0) throw ConfigError("--min-pixels must be 0 or more");
  if (o.batch_size < 1) throw ConfigError("--batch-size must be at least 1");
  if (o.overlays < 0) throw ConfigError("--overlays must be 0 or more");
  if (o.loader_threads < 1) throw ConfigError("--loader-threads must be at least 1");
  train::check_device_name(o.device);
  // After the options, so that --help works under any launcher and a bad option is reported as such.
  eval::require_single_process("steel_eval");
  return o;
}

}  // namespace steel::cli
