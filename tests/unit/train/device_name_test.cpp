#include "steel/train/device_name.h"

#include <gtest/gtest.h>

#include "steel/core/error.h"

namespace steel::train {

TEST(DeviceName, AcceptsCpuCudaAndAutoOnly) {
  for (const char* name : {"cpu", "cuda", "auto"}) EXPECT_NO_THROW(check_device_name(name)) << name;
  try {
    check_device_name("gpu");
    FAIL() << "gpu was accepted";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "--device 'gpu': expected cpu, cuda or auto");
  }
  EXPECT_THROW(check_device_name("cuda:0"), ConfigError) << "ranks pick their GPU; a fixed index is not an option";
}

}  // namespace steel::train
