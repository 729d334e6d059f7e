// Marks a run folder as being trained right now: an advisory file lock that the kernel drops when the
// process ends, however it ends, so a crashed or killed run never leaves a stale "running" marker behind.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace steel {

class RunLock {
 public:
  /// Takes an exclusive lock on `path` (created if missing) and writes `owner` into it (e.g. "host pid 123").
  /// Returns nullptr when another process holds the lock (after retrying for a second, since holder() takes
  /// it briefly); on a file system without flock, warns and returns an object that holds no lock. Throws
  /// steel::DataError when the file cannot be made or locking fails otherwise.
  static std::unique_ptr<RunLock> try_acquire(const std::string& path, const std::string& owner);
  /// Waits for an exclusive lock on `path` (created if missing), for short critical sections such as rewriting
  /// folds.csv. Never returns nullptr; on a file system without flock, warns and holds no lock, as try_acquire.
  static std::unique_ptr<RunLock> acquire(const std::string& path);
  /// The owner text of a held lock, or nothing when no process holds it (or the file does not exist).
  static std::optional<std::string> holder(const std::string& path);

  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace steel
