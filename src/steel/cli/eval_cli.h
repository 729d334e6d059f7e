// Command-line parsing for steel_eval: Boost.Program_options stays in here.
#pragma once

#include <optional>

#include "steel/eval/evaluate.h"

namespace steel::cli {

/// Parses steel_eval's arguments; prints help or the version and returns nullopt for --help/--version. Throws
/// ConfigError for unknown, malformed or invalid options.
std::optional<eval::EvalOptions> parse_eval_cli(int argc, const char* const* argv);

}  // namespace steel::cli
