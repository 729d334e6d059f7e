// steel_prep: Kaggle CSV + JPEGs -> HDF5 shards per cross-validation fold, plus a test shard.
#include "steel/cli/data_cli.h"
#include "steel/cli/guarded_main.h"
#include "steel/core/logging.h"

int main(int argc, char** argv) {
  steel::logging::init();
  return steel::cli::guarded_main("steel_prep", [&] {
    const auto options = steel::cli::parse_prep_cli(argc, argv);
    if (options) steel::data::run_prep(*options);
    return 0;
  });
}
