// Command-line parsing for steel_report: Boost.Program_options stays in here.
#pragma once

#include <optional>

#include "steel/report/report.h"

namespace steel::cli {

/// Parses steel_report's arguments; nullopt after --help/--version; ConfigError for bad options.
std::optional<report::ReportOptions> parse_report_cli(int argc, const char* const* argv);

}  // namespace steel::cli
