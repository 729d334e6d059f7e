// resolve_backend(): which c10d backend --dist-backend gives on each device, and the errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steel/core/error.h"
#include "steel/dist/group.h"

namespace steel::dist {
namespace {

using testing::HasSubstr;
using testing::ThrowsMessage;

const torch::Device kCpu(torch::kCPU);
// A device name only: nothing here touches a GPU, so this runs on CPU-only builds too.
const torch::Device kCuda(torch::kCUDA, 0);

TEST(ResolveBackend, AutoIsNcclOnCudaAndGlooOnTheCpu) {
  EXPECT_EQ(resolve_backend("auto", kCuda), "nccl");
  EXPECT_EQ(resolve_backend("auto", kCpu), "gloo");
}

TEST(ResolveBackend, GlooServesEitherDevice) {
  EXPECT_EQ(resolve_backend("gloo", kCuda), "gloo");
  EXPECT_EQ(resolve_backend("gloo", kCpu), "gloo");
}

TEST(ResolveBackend, NcclNeedsCuda) {
  EXPECT_EQ(resolve_backend("nccl", kCuda), "nccl");
  EXPECT_THAT([] { resolve_backend("nccl", kCpu); }, ThrowsMessage<ConfigError>(HasSubstr("needs a CUDA device")));
}

TEST(ResolveBackend, UnknownNameIsAConfigError) {
  EXPECT_THAT([] { resolve_backend("mpi", kCpu); },
              ThrowsMessage<ConfigError>(HasSubstr("'mpi': expected auto, nccl or gloo")));
}

TEST(Group, OneRankGroupRejectsNcclOnTheCpuToo) {
  EXPECT_THROW(Group::create(LaunchInfo{}, kCpu, GroupOptions().backend("nccl")), ConfigError);
}

}  // namespace
}  // namespace steel::dist
