// Command-line and config-file parsing for steel_train: Boost.Program_options stays in here.
#pragma once

#include <optional>
#include <string>

#include "steel/train/train_options.h"

namespace steel::cli {

/// The folder searched for <backbone>.ini when --config is not given: $STEEL_CONFIG_DIR, else the source
/// tree's configs/ this binary was built from, else <executable>/../share/steel/configs.
std::string default_config_dir();

/// Parses steel_train's arguments. Precedence: command line, then --config FILE (or <config dir>/<backbone>.ini
/// when it exists), then the built-in defaults. Prints help (every option with its default) or the version
/// and returns nullopt for --help/--version. Throws ConfigError for unknown options, malformed values, a
/// missing --config file (naming it), and whatever train::validate rejects.
std::optional<train::TrainOptions> parse_train_cli(int argc, const char* const* argv);

}  // namespace steel::cli
