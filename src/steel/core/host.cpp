#include "steel/core/host.h"

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <fstream>

namespace steel {

std::string host_name(const std::string& fallback) {
  std::array<char, 256> buffer{};
  if (::gethostname(buffer.data(), buffer.size() - 1) != 0 || buffer[0] == '\0') return fallback;
  return buffer.data();
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

std::string process_owner() {
  std::string owner = host_name() + " pid " + std::to_string(::getpid());
  if (const char* job = std::getenv("SLURM_ARRAY_JOB_ID")) {
    const char* task = std::getenv("SLURM_ARRAY_TASK_ID");
    owner += std::string(", slurm job ") + job + "_" + (task ? task : "?");
  } else if (const char* job = std::getenv("SLURM_JOB_ID")) {
    owner += std::string(", slurm job ") + job;
  }
  return owner;
}

}  // namespace steel
