#include "steel/cli/guarded_main.h"

#include <exception>

#include <spdlog/spdlog.h>

#include "steel/core/error.h"

namespace steel::cli {

int guarded_main(const char* tool, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    const int code = exit_code_of(e);
    // steel's own errors are the user's to fix; anything else is a bug or an unexpected failure.
    spdlog::log(code == exit_code::kFailure ? spdlog::level::critical : spdlog::level::err, "{}: {}", tool, e.what());
    return code;
  }
}

}  // namespace steel::cli
