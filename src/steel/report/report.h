// steel_report's engine: every run collected into the thesis's Figures 55, 56 and 57, beside the thesis's numbers.
#pragma once

#include <string>
#include <vector>

#include "steel/report/table.h"

namespace steel::report {

struct ReportOptions {
  std::string runs_dir = "runs";  ///< holds <backbone>/ folders written by steel_train and steel_eval
  std::string out_dir = "report";
  std::string thesis_dir;         ///< the thesis's tables as CSV; default: the source tree's configs/thesis
  std::string plot_script;        ///< scripts/plot_curves.py; default: the source tree's
  std::string python = "/usr/bin/python3";
};

/// Figure 55 (training: time, fold-average losses and Dice, test loss and Dice), 56 (parameters) and 57 (test
/// classification), each with a `source` column: "steel" rows from the runs, "thesis" rows from the thesis.
/// Rows cover the thesis's eight backbones in its order, then any other backbone found under runs_dir.
Table figure55(const ReportOptions& options);
Table figure56(const ReportOptions& options);
Table figure57(const ReportOptions& options);

/// Writes figure55.csv/.md, figure56.csv/.md, figure57.csv/.md, curves_<backbone>.png (through the plotting
/// script, when python3 with matplotlib is present; otherwise index.md says the curves were skipped) and
/// index.md into out_dir. Returns the path of index.md.
std::string run_report(const ReportOptions& options);

}  // namespace steel::report
