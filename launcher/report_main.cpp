// steel_report: the thesis's comparison tables (Figures 55-57) and training curves from a folder of runs.
#include "steel/cli/guarded_main.h"
#include "steel/cli/report_cli.h"
#include "steel/core/logging.h"

int main(int argc, char** argv) {
  steel::logging::init();
  return steel::cli::guarded_main("steel_report", [&] {
    const auto options = steel::cli::parse_report_cli(argc, argv);
    if (options) steel::report::run_report(*options);
    return 0;
  });
}
