#include "steel/core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "steel/core/error.h"

namespace steel {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& tmp, const char* what, int err) {
  ::unlink(tmp.c_str());
  throw DataError(path + ": " + what + " failed: " + std::strerror(err) + " (the previous file, if any, is intact)");
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  // A name of its own per process and call: two processes writing the same file (array tasks of one backbone
  // both updating folds.csv) must not rename each other's temporary file away.
  static std::atomic<unsigned> counter{0};
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(path, tmp, "creating the temporary file", errno);
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : ENOSPC;
      ::close(fd);
      fail(path, tmp, "writing", err);
    }
    written += static_cast<std::size_t>(n);
  }
  // Without fsync a crash right after the rename can leave an empty file under the final name.
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    fail(path, tmp, "flushing", err);
  }
  if (::close(fd) != 0) fail(path, tmp, "closing", errno);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail(path, tmp, "renaming the temporary file", errno);
}

}  // namespace steel
