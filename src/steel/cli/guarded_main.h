// The one top-level guard every executable runs inside: exceptions become log lines and exit codes.
#pragma once

#include <functional>

namespace steel::cli {

/// Runs body() and maps what escapes it to an exit code: ConfigError -> 2, DataError -> 3,
/// DistError -> 4, TrainingError -> 5, anything else -> 1 (see steel/core/error.h). The message is logged with
/// the tool's name so that a user reading a Slurm log knows which step failed.
int guarded_main(const char* tool, const std::function<int()>& body);

}  // namespace steel::cli
