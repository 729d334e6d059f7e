// Per-rank liveness published in rank 0's store, to name the rank a failed collective waited for (internal).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "steel/dist/c10d_compat.h"

namespace steel::dist {

/// A background thread that writes "<beat> <collectives issued>" to key steel/hb/<rank> every `interval`.
/// After a collective fails, diagnose() reads everyone's key twice, a few intervals apart: a rank whose
/// beat did not move is dead or frozen, a live rank that issued fewer collectives never arrived, and a
/// store that does not answer means rank 0, which hosts it, is gone.
class Heartbeat {
 public:
  Heartbeat(c10::intrusive_ptr<c10d::Store> store, int rank, int size, std::vector<std::string> hosts,
            std::string store_address, std::chrono::milliseconds interval,
            const std::atomic<int64_t>& collectives_issued);
  ~Heartbeat();
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  /// A sentence naming the ranks at fault, or saying that none could be identified. Blocks for about
  /// three intervals. Never throws.
  std::string diagnose();

 private:
  struct Sample {
    bool ok = false;
    int64_t beat = -1;
    int64_t collectives = -1;
  };
  void run();
  void publish();
  Sample read(int rank);

  c10::intrusive_ptr<c10d::Store> store_;
  int rank_;
  int size_;
  std::vector<std::string> hosts_;
  std::string store_address_;
  std::chrono::milliseconds interval_;
  const std::atomic<int64_t>& collectives_issued_;
  int64_t beat_ = 0;
  std::atomic<bool> store_lost_{false};

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace steel::dist
