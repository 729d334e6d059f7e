// steel_train: trains a U-Net on the folds of a steel_prep folder, on one process or many (mpirun, srun).
#include "steel/cli/guarded_main.h"
#include "steel/cli/train_cli.h"
#include "steel/core/logging.h"
#include "steel/train/trainer.h"

int main(int argc, char** argv) {
  steel::logging::init();
  return steel::cli::guarded_main("steel_train", [&] {
    const auto options = steel::cli::parse_train_cli(argc, argv);
    return options ? steel::train::run_training(*options) : 0;
  });
}
