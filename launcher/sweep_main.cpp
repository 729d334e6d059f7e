// steel_sweep: the whole study (backbones x folds, evaluation, report) locally or as Slurm jobs.
#include "steel/cli/guarded_main.h"
#include "steel/cli/sweep_cli.h"
#include "steel/core/logging.h"
#include "steel/sweep/sweep.h"

int main(int argc, char** argv) {
  steel::logging::init();
  return steel::cli::guarded_main("steel_sweep", [&] {
    const auto options = steel::cli::parse_sweep_cli(argc, argv);
    return options ? steel::sweep::run_sweep(*options) : 0;
  });
}
