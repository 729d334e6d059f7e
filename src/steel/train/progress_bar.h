// The in-epoch progress line steel_train redraws on a terminal: a bar, counts, elapsed time and an estimate of
// the time left, so that a user watching a long epoch sees it move and knows when it will end.
#pragma once

#include <cstdint>
#include <string>

namespace steel::train {

/// "<label> [#######.............]  12/50  0:14<0:44  <extra>"; `done` is clamped to [0, total], the estimate
/// of time left is the elapsed time per unit so far, and is "?" before the first unit.
std::string format_progress(const std::string& label, int64_t done, int64_t total, double elapsed_seconds,
                            const std::string& extra, int width = 24);

/// 75 -> "1:15", 3725 -> "1:02:05".
std::string format_duration(double seconds);

}  // namespace steel::train
