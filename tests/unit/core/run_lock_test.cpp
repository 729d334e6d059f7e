#include "steel/core/run_lock.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace steel {

TEST(RunLock, IsHeldUntilReleasedAndNamesItsOwner) {
  testing::TempDir dir;
  const std::string path = dir / "running.lock";
  EXPECT_FALSE(RunLock::holder(path).has_value()) << "no file yet";
  {
    auto lock = RunLock::try_acquire(path, "host-a pid 42");
    ASSERT_NE(lock, nullptr);
    EXPECT_EQ(RunLock::holder(path).value_or("<none>"), "host-a pid 42");
    EXPECT_EQ(RunLock::try_acquire(path, "second"), nullptr) << "a second holder must be refused";
  }
  EXPECT_FALSE(RunLock::holder(path).has_value()) << "released with the object";
  EXPECT_NE(RunLock::try_acquire(path, "again"), nullptr);
}

TEST(RunLock, AKilledHolderLeavesNoStaleLock) {
  testing::TempDir dir;
  const std::string path = dir / "running.lock";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = RunLock::try_acquire(path, "child");
    const char byte = lock ? 1 : 0;
    if (::write(ready[1], &byte, 1) != 1) ::_exit(3);
    for (;;) ::pause();
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 1) << "the child could not take the lock";
  EXPECT_EQ(RunLock::holder(path).value_or("<none>"), "child") << "seen from another process";
  EXPECT_EQ(RunLock::try_acquire(path, "parent"), nullptr);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  EXPECT_FALSE(RunLock::holder(path).has_value()) << "the kernel drops the lock of a killed process";
  EXPECT_NE(RunLock::try_acquire(path, "parent"), nullptr);
}

}  // namespace steel
