#include "steel/train/device_name.h"

#include "steel/core/error.h"

namespace steel::train {

void check_device_name(const std::string& name) {
  if (name != "cpu" && name != "cuda" && name != "auto") {
    throw ConfigError("--device '" + name + "': expected cpu, cuda or auto");
  }
}

}  // namespace steel::train
