// spdlog setup shared by every executable: one pattern, the rank in it when there is more than one.
#pragma once

#include <string>

namespace steel::logging {

/// Sets the default logger's pattern and level. `level` is an spdlog level name
/// (trace, debug, info, warn, error); the STEEL_LOG_LEVEL environment variable overrides it.
/// Ranks other than 0 log warnings and errors only, prefixed with their rank.
void init(int rank = 0, int world_size = 1, const std::string& level = "info");

/// True when standard error is a terminal (progress bars are drawn only then).
bool stderr_is_terminal();

}  // namespace steel::logging
