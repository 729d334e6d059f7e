// The --device values every tool accepts (cpu, cuda, auto), checked in one place with one wording; torch-free,
// so that option parsing can check them before LibTorch is touched.
#pragma once

#include <string>

namespace steel::train {

/// Throws steel::ConfigError "--device '<name>': expected cpu, cuda or auto" for any other name.
void check_device_name(const std::string& name);

}  // namespace steel::train
