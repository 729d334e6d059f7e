// Test support: a full disk on demand. While a FileSizeLimit lives, this process cannot write past `bytes` in
// any file (RLIMIT_FSIZE): write() fails with EFBIG, as a full disk fails with ENOSPC, instead of the default
// SIGXFSZ killing the process. The previous limit and signal handler come back when it goes.
#pragma once

#include <sys/resource.h>

#include <csignal>
#include <cstddef>

namespace steel::testing {

class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::size_t bytes);
  ~FileSizeLimit();
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  struct rlimit old_ {};
  void (*old_handler_)(int) = nullptr;
};

}  // namespace steel::testing
