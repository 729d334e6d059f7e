// steel_eval: every fold's best model and the fold ensemble on the held-out test set (thesis Figure 57).
#include "steel/cli/eval_cli.h"
#include "steel/cli/guarded_main.h"
#include "steel/core/logging.h"

int main(int argc, char** argv) {
  steel::logging::init();
  return steel::cli::guarded_main("steel_eval", [&] {
    const auto options = steel::cli::parse_eval_cli(argc, argv);
    if (options) steel::eval::run_eval(*options);
    return 0;
  });
}
