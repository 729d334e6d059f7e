// Command-line and config-file parsing for steel_sweep: Boost.Program_options stays in here.
#pragma once

#include <optional>

#include "steel/sweep/sweep_options.h"

namespace steel::cli {

/// Parses steel_sweep's arguments: the command line, then --config FILE (INI, same option names), then
/// defaults. nullopt after --help/--version; ConfigError for bad options.
std::optional<sweep::SweepOptions> parse_sweep_cli(int argc, const char* const* argv);

}  // namespace steel::cli
