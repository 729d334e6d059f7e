#include "steel/core/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "steel/core/error.h"

namespace steel {

std::unique_ptr<RunLock> RunLock::try_acquire(const std::string& path, const std::string& owner) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw DataError(path + ": cannot create the run lock: " + std::strerror(errno));
  // holder() takes a shared lock for an instant; retry for a second so that a `--status` probe running at
  // this moment is not mistaken for another trainer.
  int err = 0;
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      err = 0;
      break;
    }
    err = errno;
    if (err != EWOULDBLOCK) break;
    ::usleep(50 * 1000);
  }
  if (err == EWOULDBLOCK) {
    ::close(fd);
    return nullptr;
  }
  if (err == ENOLCK || err == ENOSYS || err == EOPNOTSUPP) {
    // A file system without flock (NFS without lockd, Lustre mounted without -o flock): run unlocked rather
    // than not at all; the fold then shows as "started", not "running", and nothing stops a second trainer.
    spdlog::warn("{}: this file system does not support flock ({}); training without the run lock", path,
                 std::strerror(err));
    return std::unique_ptr<RunLock>(new RunLock(fd));
  }
  if (err != 0) {
    ::close(fd);
    throw DataError(path + ": cannot lock: " + std::strerror(err));
  }
  // The owner text is only a note for people and --status; the lock itself is what counts.
  if (::ftruncate(fd, 0) == 0) {
    const std::string text = owner + "\n";
    if (::pwrite(fd, text.data(), text.size(), 0) < 0) { /* a missing note is harmless */ }
  }
  return std::unique_ptr<RunLock>(new RunLock(fd));
}

std::optional<std::string> RunLock::holder(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> owner;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    char buf[256];
    const ssize_t n = ::pread(fd, buf, sizeof buf, 0);
    std::string text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    owner = text;
  }
  ::close(fd);  // also drops the shared lock if we got it
  return owner;
}

RunLock::~RunLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace steel
