#include "support/file_size_limit.h"

namespace steel::testing {

FileSizeLimit::FileSizeLimit(std::size_t bytes) {
  getrlimit(RLIMIT_FSIZE, &old_);
  old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_;
  small.rlim_cur = bytes;
  setrlimit(RLIMIT_FSIZE, &small);
}

FileSizeLimit::~FileSizeLimit() {
  setrlimit(RLIMIT_FSIZE, &old_);
  std::signal(SIGXFSZ, old_handler_);
}

}  // namespace steel::testing
