// Command-line parsing for steel_predict: Boost.Program_options stays in here.
#pragma once

#include <optional>

#include "steel/eval/predict.h"

namespace steel::cli {

/// Parses steel_predict's arguments; nullopt after --help/--version; ConfigError for bad options.
std::optional<eval::PredictOptions> parse_predict_cli(int argc, const char* const* argv);

}  // namespace steel::cli
