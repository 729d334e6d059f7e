// Error types thrown by the steel library; each executable's guard maps them to exit codes.
#pragma once

#include <stdexcept>
#include <string>

namespace steel {

/// A bad option, option combination or configuration value. Exit code 2.
class ConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Bad input data: a malformed CSV row, an unreadable image, a corrupt shard. Exit code 3.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Rendezvous, process-group or collective failure. Exit code 4.
class DistError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Training diverged: a non-finite loss. The last good checkpoint is kept. Exit code 5.
class TrainingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace exit_code {
constexpr int kOk = 0;
constexpr int kFailure = 1;
constexpr int kConfig = 2;
constexpr int kData = 3;
constexpr int kDist = 4;
constexpr int kTraining = 5;
/// A run stopped by SIGTERM/SIGUSR1 after writing its checkpoint: requeue it and pass --resume. 75 is
/// EX_TEMPFAIL from sysexits.h ("try again later").
constexpr int kPreempted = 75;
}  // namespace exit_code

/// The exit code an executable returns for `error`: 2 ConfigError, 3 DataError, 4 DistError, 5 TrainingError,
/// 1 anything else (a bug or an unexpected library failure).
inline int exit_code_of(const std::exception& error) {
  if (dynamic_cast<const ConfigError*>(&error)) return exit_code::kConfig;
  if (dynamic_cast<const DataError*>(&error)) return exit_code::kData;
  if (dynamic_cast<const DistError*>(&error)) return exit_code::kDist;
  if (dynamic_cast<const TrainingError*>(&error)) return exit_code::kTraining;
  return exit_code::kFailure;
}

}  // namespace steel
