#include "steel/cli/report_cli.h"

#include <boost/program_options.hpp>

#include "steel/cli/parse_command_line.h"
#include "steel/core/error.h"
#include "steel/eval/single_process.h"

namespace po = boost::program_options;

namespace steel::cli {
namespace {

constexpr const char* kUsage =
    "steel_report --runs runs --out report: the thesis's Figures 55-57 from every run, beside the\n"
    "thesis's numbers, plus training curves; open report/index.md.";

}  // namespace

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
  if (!parse_command_line("steel_report", kUsage, desc, argc, argv)) {
    return std::nullopt;
  }
  // After the options, so that --help works under any launcher and a bad option is reported as such.
  eval::require_single_process("steel_report");
  return o;
}

}  // namespace steel::cli
