// steel_models: prints each U-Net backbone's parameter counts next to the thesis' Figure 56; touches no data.
#include <iostream>
#include <string>

#include "steel/cli/guarded_main.h"
#include "steel/core/error.h"
#include "steel/core/logging.h"
#include "steel/models/model_summary.h"

namespace {

constexpr const char* kUsage =
    "usage: steel_models [--backbone NAME]... [--encoder-mode thesis|frozen|trainable]\n"
    "Prints Keras and PyTorch parameter counts of sm.Unet(NAME, classes=4) for every backbone (default: all)\n"
    "and whether they match the thesis' Figure 56. The PyTorch trainable column uses --encoder-mode\n"
    "(default thesis). Exit code 1 when a count differs from the thesis.\n";

}  // namespace

int main(int argc, char** argv) {
  steel::logging::init();
  return steel::cli::guarded_main("steel_models", [&]() -> int {
    steel::models::ModelSummaryOptions options;
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        std::cout << kUsage;
        return steel::exit_code::kOk;
      }
      const bool takes_value = arg == "--backbone" || arg == "--encoder-mode";
      if (!takes_value) throw steel::ConfigError("unknown option '" + arg + "'\n" + kUsage);
      if (i + 1 >= argc) throw steel::ConfigError(arg + " needs a value");
      const std::string value = argv[++i];
      if (arg == "--backbone") {
        options.backbones.push_back(value);
      } else {
        options.encoder_mode = steel::models::parse_encoder_mode(value);
      }
    }
    return steel::models::print_model_summary(options, std::cout) ? steel::exit_code::kOk
                                                                   : steel::exit_code::kFailure;
  });
}
