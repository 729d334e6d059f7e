#include "steel/core/logging.h"

#include <unistd.h>

#include <cstdlib>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace steel::logging {

void init(int rank, int world_size, const std::string& level) {
  // Logs go to stderr so that tools which print tables (steel_models, --status) keep stdout clean.
  auto logger = spdlog::get("steel");
  if (!logger) logger = spdlog::stderr_color_mt("steel");
  spdlog::set_default_logger(logger);
  std::string pattern = "[%H:%M:%S.%e] [%^%l%$] %v";
  if (world_size > 1) pattern = "[%H:%M:%S.%e] [%^%l%$] [r" + std::to_string(rank) + "/" +
                                std::to_string(world_size) + "] %v";
  spdlog::set_pattern(pattern);
  std::string effective = level;
  if (const char* env = std::getenv("STEEL_LOG_LEVEL"); env != nullptr && *env != '\0') effective = env;
  auto lvl = spdlog::level::from_str(effective);
  if (rank != 0 && lvl < spdlog::level::warn) lvl = spdlog::level::warn;
  spdlog::set_level(lvl);
}

bool stderr_is_terminal() { return isatty(STDERR_FILENO) != 0; }

}  // namespace steel::logging
