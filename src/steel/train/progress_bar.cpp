#include "steel/train/progress_bar.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace steel::train {

std::string format_duration(double seconds) {
  const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  }
  return buf;
}

std::string format_progress(const std::string& label, int64_t done, int64_t total, double elapsed_seconds,
                            const std::string& extra, int width) {
  total = std::max<int64_t>(total, 1);
  done = std::clamp<int64_t>(done, 0, total);
  const auto filled = static_cast<int>(done * width / total);
  std::string bar = std::string(static_cast<std::size_t>(filled), '#') +
                    std::string(static_cast<std::size_t>(width - filled), '.');
  const std::string left =
      done > 0 ? format_duration(elapsed_seconds / static_cast<double>(done) * static_cast<double>(total - done)) : "?";
  return label + " [" + bar + "]  " + std::to_string(done) + "/" + std::to_string(total) + "  " +
         format_duration(elapsed_seconds) + "<" + left + (extra.empty() ? "" : "  " + extra);
}

}  // namespace steel::train
