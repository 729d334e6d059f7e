#include "steel/core/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "steel/core/error.h"

namespace steel {
namespace {

int open_lock_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw DataError(path + ": cannot create the lock file: " + std::strerror(errno));
  return fd;
}

// A file system without flock (NFS without lockd, Lustre mounted without -o flock): work unlocked rather than
// not at all.
bool flock_unsupported(int err) { return err == ENOLCK || err == ENOSYS || err == EOPNOTSUPP; }

void warn_unlocked(const std::string& path, int err, const char* consequence) {
  spdlog::warn("{}: this file system does not support flock ({}); {}", path, std::strerror(err), consequence);
}

}  // namespace

std::unique_ptr<RunLock> RunLock::try_acquire(const std::string& path, const std::string& owner) {
  const int fd = open_lock_file(path);
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
  if (flock_unsupported(err)) {
    // The fold then shows as "started", not "running", and nothing stops a second trainer.
    warn_unlocked(path, err, "training without the run lock");
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

std::unique_ptr<RunLock> RunLock::acquire(const std::string& path) {
  const int fd = open_lock_file(path);
  int err = 0;
  while (::flock(fd, LOCK_EX) != 0) {
    err = errno;
    if (err != EINTR) break;  // a stop signal's handler interrupted the wait: keep waiting
    err = 0;
  }
  if (err != 0 && flock_unsupported(err)) {
    warn_unlocked(path, err, "writing without the lock");
  } else if (err != 0) {
    ::close(fd);
    throw DataError(path + ": cannot lock: " + std::strerror(err));
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
