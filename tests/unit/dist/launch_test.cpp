// detect_launch_from(): Slurm and torchrun-style variables, defaults, and the errors for bad values.
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steel/core/error.h"
#include "steel/dist/launch.h"

namespace steel::dist {
namespace {

using testing::HasSubstr;
using testing::ThrowsMessage;

// An environment made of exactly the given variables.
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(DetectLaunch, NoVariablesMeansASingleProcess) {
  const LaunchInfo info = detect_launch_from(env_of({}));
  EXPECT_EQ(info.launcher, "single");
  EXPECT_EQ(info.rank, 0);
  EXPECT_EQ(info.world_size, 1);
  EXPECT_EQ(info.local_rank, 0);
}

TEST(DetectLaunch, ReadsTorchrunStyleVariables) {
  const LaunchInfo info = detect_launch_from(
      env_of({{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "n01"}, {"MASTER_PORT", "4242"}}));
  EXPECT_EQ(info.launcher, "env");
  EXPECT_EQ(info.rank, 3);
  EXPECT_EQ(info.world_size, 4);
  EXPECT_EQ(info.local_rank, 1);
  EXPECT_EQ(info.master_addr, "n01");
  EXPECT_EQ(info.master_port, 4242);
}

TEST(DetectLaunch, EnvDefaultsAreLoopbackAndPyTorchsPort) {
  const LaunchInfo info = detect_launch_from(env_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}}));
  EXPECT_EQ(info.master_addr, "127.0.0.1");
  EXPECT_EQ(info.master_port, 29500);
  EXPECT_EQ(info.local_rank, 0);
}

TEST(DetectLaunch, ReadsSlurmVariablesAndDerivesThePortFromTheJobId) {
  const LaunchInfo info = detect_launch_from(env_of({{"SLURM_PROCID", "5"},
                                                     {"SLURM_NTASKS", "8"},
                                                     {"SLURM_LOCALID", "1"},
                                                     {"SLURM_JOB_ID", "123456"},
                                                     {"SLURM_JOB_NODELIST", "gpu[07-08],cpu1"}}));
  EXPECT_EQ(info.launcher, "slurm");
  EXPECT_EQ(info.rank, 5);
  EXPECT_EQ(info.world_size, 8);
  EXPECT_EQ(info.local_rank, 1);
  EXPECT_EQ(info.master_addr, "gpu07");
  EXPECT_EQ(info.master_port, 15000 + 123456 % 20000);
}

TEST(DetectLaunch, SlurmPrefersTheStepsTaskCountAndExplicitMaster) {
  const LaunchInfo info = detect_launch_from(env_of({{"SLURM_PROCID", "1"},
                                                     {"SLURM_NTASKS", "8"},
                                                     {"SLURM_STEP_NUM_TASKS", "2"},
                                                     {"SLURM_STEP_NODELIST", "a1,a2"},
                                                     {"SLURM_JOB_NODELIST", "b[1-4]"},
                                                     {"MASTER_ADDR", "head"},
                                                     {"MASTER_PORT", "31000"}}));
  EXPECT_EQ(info.world_size, 2);
  EXPECT_EQ(info.master_addr, "head");
  EXPECT_EQ(info.master_port, 31000);
  const LaunchInfo no_master = detect_launch_from(
      env_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_STEP_NODELIST", "a1,a2"}, {"SLURM_JOB_NODELIST", "b[1-4]"}}));
  EXPECT_EQ(no_master.master_addr, "a1");
}

TEST(DetectLaunch, RejectsBadValuesNamingTheVariable) {
  EXPECT_THAT([] { detect_launch_from(env_of({{"RANK", "2"}, {"WORLD_SIZE", "2"}})); },
              ThrowsMessage<ConfigError>(HasSubstr("RANK=2 must be less than WORLD_SIZE=2")));
  EXPECT_THAT([] { detect_launch_from(env_of({{"RANK", "one"}, {"WORLD_SIZE", "2"}})); },
              ThrowsMessage<ConfigError>(HasSubstr("RANK='one'")));
  EXPECT_THAT([] { detect_launch_from(env_of({{"RANK", "0"}, {"WORLD_SIZE", "0"}})); },
              ThrowsMessage<ConfigError>(HasSubstr("WORLD_SIZE='0'")));
  EXPECT_THAT([] { detect_launch_from(env_of({{"RANK", "0"}})); },
              ThrowsMessage<ConfigError>(HasSubstr("RANK and WORLD_SIZE must be set together")));
  EXPECT_THAT([] { detect_launch_from(env_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}})); },
              ThrowsMessage<ConfigError>(HasSubstr("MASTER_PORT=70000")));
  EXPECT_THAT([] { detect_launch_from(env_of({{"SLURM_PROCID", "4"}, {"SLURM_NTASKS", "4"}})); },
              ThrowsMessage<ConfigError>(HasSubstr("SLURM_PROCID=4 must be less than SLURM_NTASKS=4")));
  EXPECT_THAT([] { detect_launch_from(env_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_LOCALID", "-1"}})); },
              ThrowsMessage<ConfigError>(HasSubstr("SLURM_LOCALID='-1'")));
}

TEST(FirstHostInNodelist, HandlesRangesListsAndPadding) {
  EXPECT_EQ(first_host_in_nodelist("node1"), "node1");
  EXPECT_EQ(first_host_in_nodelist("a,b,c"), "a");
  EXPECT_EQ(first_host_in_nodelist("gpu[007-010,12]"), "gpu007");
  EXPECT_EQ(first_host_in_nodelist("gpu[3,5-6],cpu[1-2]"), "gpu3");
  EXPECT_EQ(first_host_in_nodelist("rack[1-2]-n[3,5]"), "rack1-n3");
  EXPECT_EQ(first_host_in_nodelist("n[04]x"), "n04x");
}

TEST(FirstHostInNodelist, RejectsMalformedLists) {
  EXPECT_THROW(first_host_in_nodelist(""), ConfigError);
  EXPECT_THROW(first_host_in_nodelist("gpu[1-2"), ConfigError);
  EXPECT_THROW(first_host_in_nodelist("gpu1]"), ConfigError);
  EXPECT_THROW(first_host_in_nodelist(",a"), ConfigError);
}

}  // namespace
}  // namespace steel::dist
