// Group's internals, shared by the files of steel::dist that drive c10d directly (internal).
#pragma once

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "steel/dist/c10d_compat.h"
#include "steel/dist/group.h"
#include "steel/dist/heartbeat.h"

namespace steel::dist {

struct Group::Impl {
  LaunchInfo launch;
  torch::Device device = torch::kCPU;
  GroupOptions options;
  std::string backend = "single";
  /// Host name of every rank, indexed by rank.
  std::vector<std::string> hosts;
  /// Declared before the process group so that they outlive it: a group torn down after a failure still
  /// finishes queued gradient buckets on its threads, and their callbacks record here.
  std::mutex times_mutex;  ///< guards `times`: gradient buckets finish on the backend's threads
  std::map<std::string, CollectiveTime> times;
  c10::intrusive_ptr<c10d::Store> store;
  compat::ProcessGroupPtr pg;
  std::atomic<int64_t> collectives{0};
  /// Declared after the store and process group so that it stops before they go away.
  std::unique_ptr<Heartbeat> heartbeat;

  /// Counts one collective about to be issued.
  void count(int64_t calls = 1) { collectives.fetch_add(calls); }
  /// Adds `calls` collectives of `purpose`, issued at `start` and complete now, to collective_times().
  void record(const std::string& purpose, std::chrono::steady_clock::time_point start, int64_t calls = 1);
  /// Counts, issues, waits for (see wait) and times one blocking collective.
  void run(const std::string& op, const std::function<c10::intrusive_ptr<c10d::Work>()>& issue);
  /// Waits for `work` with the group's timeout; on failure throws DistError naming `op` and the culprit.
  void wait(const c10::intrusive_ptr<c10d::Work>& work, const std::string& op);
  /// The DistError for a failed collective `op`, with Heartbeat::diagnose()'s verdict.
  [[noreturn]] void fail(const std::string& op, const std::exception& cause);
};

}  // namespace steel::dist
