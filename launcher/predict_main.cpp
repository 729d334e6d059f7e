// steel_predict: a trained run's fold ensemble on raw images, written as a Kaggle submission (RLE).
#include "steel/cli/guarded_main.h"
#include "steel/cli/predict_cli.h"
#include "steel/core/logging.h"

int main(int argc, char** argv) {
  steel::logging::init();
  return steel::cli::guarded_main("steel_predict", [&] {
    const auto options = steel::cli::parse_predict_cli(argc, argv);
    if (options) steel::eval::run_predict(*options);
    return 0;
  });
}
