#include "steel/cli/data_cli.h"

#include <iostream>

#include <boost/program_options.hpp>

#include "steel/cli/parse_command_line.h"
#include "steel/core/error.h"
#include "steel/core/version.h"

namespace po = boost::program_options;

namespace steel::cli {

std::optional<data::SynthOptions> parse_synth_cli(int argc, const char* const* argv) {
  data::SynthOptions o;
  po::options_description desc("Options");
  desc.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("out", po::value(&o.out_dir)->required(), "output folder (gets train.csv and train_images/)")
      ("images", po::value(&o.images)->default_value(o.images), "number of images (the Kaggle set has 12568)")
      ("seed", po::value(&o.seed)->default_value(o.seed), "random seed; the same seed gives the same files")
      ("legacy-csv", po::bool_switch(&o.legacy_csv), "write the original ImageId_ClassId,EncodedPixels format")
      ("clean-fraction", po::value(&o.clean_fraction)->default_value(o.clean_fraction), "share of defect-free images")
      ("multi-fraction", po::value(&o.multi_fraction)->default_value(o.multi_fraction),
       "share of defect images with a second class")
      ("jpeg-quality", po::value(&o.jpeg_quality)->default_value(o.jpeg_quality), "JPEG quality 1..100")
      ("threads", po::value(&o.threads)->default_value(o.threads), "worker threads (0 = every core)")
      ("overwrite", po::bool_switch(&o.overwrite), "replace an existing output folder");
  if (!parse_command_line("steel_synth", "steel_synth --out DIR [--images N] [--seed S]: a synthetic Severstal dataset", desc, argc,
             argv)) {
    return std::nullopt;
  }
  return o;
}

std::optional<data::PrepOptions> parse_prep_cli(int argc, const char* const* argv) {
  data::PrepOptions o;
  std::string on_error = "fail";
  std::string compression = data::codec_name(o.compression.codec);
  po::options_description desc("Options");
  desc.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("csv", po::value(&o.csv)->required(), "train.csv (ImageId,ClassId,EncodedPixels or ImageId_ClassId,EncodedPixels)")
      ("images", po::value(&o.images_dir)->required(), "folder holding the <ImageId> JPEG files")
      ("out", po::value(&o.out_dir)->required(), "output folder for fold_<k>.h5, test.h5, manifest.csv, summary.txt")
      ("test-per-class", po::value(&o.split.test_per_class)->default_value(o.split.test_per_class),
       "held-out single-defect test images per class")
      ("test-multi", po::value(&o.split.test_multi)->default_value(o.split.test_multi), "held-out multi-defect test images")
      ("balance-to", po::value(&o.split.balance_to)->default_value(o.split.balance_to),
       "records per class after balancing: a count, 'auto' (median class count) or 'none'")
      ("include-clean", po::value(&o.split.include_clean)->default_value(o.split.include_clean),
       "defect-free images to add to the folds")
      ("folds", po::value(&o.split.folds)->default_value(o.split.folds), "cross-validation folds")
      ("height", po::value(&o.height)->default_value(o.height), "stored image height (multiple of 32)")
      ("width", po::value(&o.width)->default_value(o.width), "stored image width (multiple of 32)")
      ("seed", po::value(&o.split.seed)->default_value(o.split.seed), "seed for the test set, balancing and folds")
      ("on-error", po::value(&on_error)->default_value(on_error), "bad rows or images: 'fail' (stop) or 'skip' (log and count)")
      ("threads", po::value(&o.threads)->default_value(o.threads), "worker threads (0 = every core)")
      ("compression", po::value(&compression)->default_value(compression),
       "pixel chunks: 'blosc' (LZ4 + bit-shuffle, fast; readers need the Blosc HDF5 plugin) or 'gzip' (any HDF5 reader)")
      ("deflate-level", po::value(&o.compression.deflate_level)->default_value(o.compression.deflate_level),
       "zlib level of gzip chunks, 1..9")
      ("overwrite", po::bool_switch(&o.overwrite), "replace an existing output folder");
  if (!parse_command_line("steel_prep", "steel_prep --csv train.csv --images train_images/ --out PREP/ [options]", desc, argc, argv)) {
    return std::nullopt;
  }
  if (on_error == "fail") {
    o.on_error = data::OnError::kFail;
  } else if (on_error == "skip") {
    o.on_error = data::OnError::kSkip;
  } else {
    throw ConfigError("--on-error '" + on_error + "': expected 'fail' or 'skip'");
  }
  o.compression.codec = data::parse_codec(compression);
  return o;
}

}  // namespace steel::cli
