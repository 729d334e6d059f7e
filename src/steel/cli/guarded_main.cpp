#include "steel/cli/guarded_main.h"

#include <exception>

#include <spdlog/spdlog.h>

#include "steel/core/error.h"

namespace steel::cli {

int guarded_main(const char* tool, const std::function<int()>& body) {
  try {
    return body();
  } catch (const ConfigError& e) {
    spdlog::error("{}: {}", tool, e.what());
    return exit_code::kConfig;
  } catch (const DataError& e) {
    spdlog::error("{}: {}", tool, e.what());
    return exit_code::kData;
  } catch (const DistError& e) {
    spdlog::error("{}: {}", tool, e.what());
    return exit_code::kDist;
  } catch (const TrainingError& e) {
    spdlog::error("{}: {}", tool, e.what());
    return exit_code::kTraining;
  } catch (const std::exception& e) {
    spdlog::critical("{}: {}", tool, e.what());
    return exit_code::kFailure;
  }
}

}  // namespace steel::cli
