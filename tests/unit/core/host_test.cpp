#include "steel/core/host.h"

#include <unistd.h>

#include <cstdlib>

#include <gtest/gtest.h>

namespace steel {

TEST(Host, NamesThisHost) {
  char name[256] = {};
  ASSERT_EQ(::gethostname(name, sizeof name - 1), 0);
  EXPECT_EQ(host_name(), name);
  EXPECT_FALSE(cpu_model().empty());
}

TEST(Host, TheOwnerNamesHostPidAndSlurmJob) {
  const std::string base = host_name() + " pid " + std::to_string(::getpid());
  ::unsetenv("SLURM_ARRAY_JOB_ID");
  ::unsetenv("SLURM_JOB_ID");
  EXPECT_EQ(process_owner(), base);
  ::setenv("SLURM_JOB_ID", "77", 1);
  EXPECT_EQ(process_owner(), base + ", slurm job 77");
  ::setenv("SLURM_ARRAY_JOB_ID", "70", 1);
  ::setenv("SLURM_ARRAY_TASK_ID", "3", 1);
  EXPECT_EQ(process_owner(), base + ", slurm job 70_3") << "an array task is named by array job and task";
  ::unsetenv("SLURM_ARRAY_JOB_ID");
  ::unsetenv("SLURM_ARRAY_TASK_ID");
  ::unsetenv("SLURM_JOB_ID");
}

}  // namespace steel
