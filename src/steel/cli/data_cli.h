// Command-line parsing for steel_synth and steel_prep: Boost.Program_options stays in here.
#pragma once

#include <optional>

#include "steel/data/prep.h"
#include "steel/data/synth.h"

namespace steel::cli {

/// Parses steel_synth's arguments; prints help and returns nullopt for --help. Throws
/// ConfigError for unknown or malformed options.
std::optional<data::SynthOptions> parse_synth_cli(int argc, const char* const* argv);

/// Parses steel_prep's arguments; prints help and returns nullopt for --help.
std::optional<data::PrepOptions> parse_prep_cli(int argc, const char* const* argv);

}  // namespace steel::cli
