#include "steel/cli/report_cli.h"

#include <iostream>

#include <boost/program_options.hpp>

#include "steel/core/error.h"
#include "steel/core/version.h"

namespace po = boost::program_options;

namespace steel::cli {

std::optional<report::ReportOptions> parse_report_cli(int argc, const char* const* argv) {
  report::ReportOptions o;
  po::options_description desc("Options");
  desc.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("runs", po::value(&o.runs_dir)->default_value(o.runs_dir), "folder of runs/<backbone>/ from steel_train")
      ("out", po::value(&o.out_dir)->default_value(o.out_dir), "report folder (index.md, figure5x.csv/.md, curves)")
      ("thesis", po::value(&o.thesis_dir), "the thesis's tables as CSV (default: the source tree's configs/thesis)")
      ("plot-script", po::value(&o.plot_script), "curve plotter (default: the source tree's scripts/plot_curves.py)")
      ("python", po::value(&o.python)->default_value(o.python), "interpreter with matplotlib");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    if (vm.count("help") != 0) {
      std::cout << "steel_report --runs runs --out report: the thesis's Figures 55-57 from every run, beside the\n"
                   "thesis's numbers, plus training curves; open report/index.md.\n\n"
                << desc << "\n";
      return std::nullopt;
    }
    if (vm.count("version") != 0) {
      std::cout << "steel_report " << kVersion << "\n";
      return std::nullopt;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(std::string(e.what()) + " (see steel_report --help)");
  }
  return o;
}

}  // namespace steel::cli
