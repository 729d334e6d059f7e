#include "steel/core/run_lock.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
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

TEST(RunLock, AcquireWaitsForTheHolder) {
  testing::TempDir dir;
  const std::string path = dir / "folds.lock";
  auto held = RunLock::try_acquire(path, "first");
  ASSERT_NE(held, nullptr);
  std::atomic<bool> released{false};
  std::thread holder([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    released = true;
    held.reset();
  });
  auto lock = RunLock::acquire(path);
  EXPECT_TRUE(released) << "acquire returned while another holder had the lock";
  ASSERT_NE(lock, nullptr);
  EXPECT_EQ(RunLock::try_acquire(path, "third"), nullptr) << "acquire's lock is exclusive";
  holder.join();
}

TEST(RunLock, AKilledHolderLeavesNoStaleLock) {
  testing::TempDir dir;
  const std::string path = dir / "running.lock";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    ::close(ready[0]);
    auto lock = RunLock::try_acquire(path, "child");
    const char byte = lock ? 1 : 0;
    if (::write(ready[1], &byte, 1) != 1) ::_exit(3);
    for (;;) ::pause();
  }
  ::close(ready[1]);  // a child that dies early then gives end-of-file, not a hang
  struct Reap {
    pid_t pid;
    ~Reap() {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } reap{child};
  char byte = 0;
  const ssize_t n = ::read(ready[0], &byte, 1);
  ::close(ready[0]);
  ASSERT_EQ(n, 1) << "the child died before taking the lock";
  ASSERT_EQ(byte, 1) << "the child could not take the lock";
  EXPECT_EQ(RunLock::holder(path).value_or("<none>"), "child") << "seen from another process";
  EXPECT_EQ(RunLock::try_acquire(path, "parent"), nullptr);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_FALSE(RunLock::holder(path).has_value()) << "the kernel drops the lock of a killed process";
  EXPECT_NE(RunLock::try_acquire(path, "parent"), nullptr);
}

}  // namespace steel
