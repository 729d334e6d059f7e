// steel_synth: writes a synthetic Severstal-format dataset (train.csv + train_images/).
#include "steel/cli/data_cli.h"
#include "steel/cli/guarded_main.h"
#include "steel/core/logging.h"

int main(int argc, char** argv) {
  steel::logging::init();
  return steel::cli::guarded_main("steel_synth", [&] {
    const auto options = steel::cli::parse_synth_cli(argc, argv);
    if (options) steel::data::run_synth(*options);
    return 0;
  });
}
