// The ranks of one training job as a c10d process group: rendezvous, collectives, fault reporting.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "steel/dist/launch.h"

namespace steel::dist {

/// Options for Group::create().
struct GroupOptions {
  /// How long any collective, and the rendezvous itself, may wait for the slowest rank before every
  /// waiting rank throws steel::DistError. This bounds how long the survivors of a dead or stalled rank
  /// hang; it must exceed the longest gap between two collectives that any rank can spend computing.
  TORCH_ARG(std::chrono::milliseconds, timeout) = std::chrono::seconds(120);
  /// "auto" (NCCL on a CUDA device, Gloo on the CPU), "nccl" (CUDA only) or "gloo" (either device: Gloo
  /// reduces CUDA tensors through host memory, which lets several ranks share one GPU, as NCCL refuses to).
  TORCH_ARG(std::string, backend) = "auto";
};

/// Calls and seconds of one kind of collective, from issue to completion (see Group::collective_times()).
struct CollectiveTime {
  int64_t calls = 0;
  double seconds = 0;
};

/// The backend GroupOptions::backend() asks for on `device`: "nccl" or "gloo". Throws steel::ConfigError for
/// an unknown name, and for NCCL on the CPU.
std::string resolve_backend(const std::string& requested, const torch::Device& device);

/// All ranks of a job. NCCL when `device` is CUDA (one GPU per local rank), Gloo on CPU, unless
/// options.backend() says otherwise; world size 1 is a
/// valid group whose collectives are free no-ops that leave tensors as a 1-rank collective would.
///
/// Every collective waits at most options.timeout(). On failure it throws steel::DistError naming the
/// operation, this rank and, when it can be told, the culprit: every rank publishes a heartbeat (a counter
/// and its number of collectives issued) to rank 0's TCPStore several times per timeout period, so a rank
/// whose heartbeat stopped has died or hung, a live rank with fewer collectives never arrived, and an
/// unreachable store means rank 0 (its host) is gone.
///
/// Collectives must be issued in the same order on every rank. Tensors for NCCL must be on device().
class Group {
 public:
  /// Forms the group: TCPStore on rank 0 at launch.master_addr:master_port, then the backend's process
  /// group. Throws DistError naming the rank, host, port and timeout if the rendezvous fails. For more
  /// than one rank it sets SIGPIPE to ignored (process-wide) so that writing to a dead peer's socket is an
  /// error rather than a silent kill, and starts the heartbeat thread (period timeout/10, clamped to
  /// 0.1-5 s; naming a culprit after a failure takes three periods).
  static std::shared_ptr<Group> create(const LaunchInfo& launch, const torch::Device& device,
                                       const GroupOptions& options = {});
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  int rank() const;
  int size() const;
  int local_rank() const;
  /// True on rank 0, which logs, writes checkpoints and hosts the store.
  bool is_main() const { return rank() == 0; }
  /// How many ranks of the job run on this rank's host (itself included): they share its CPUs.
  int ranks_on_host() const;
  /// "gloo", "nccl", or "single" for a 1-rank group.
  std::string backend() const;
  torch::Device device() const;
  const GroupOptions& options() const;

  /// Sums each tensor across ranks, in place. Tensors are packed into one flat buffer per dtype, so this
  /// is one collective per dtype present, whatever the number of tensors. `purpose` names the call in
  /// collective_times() and in errors ("sync_batch_norm", "step_flags", ...).
  void all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& purpose = "all_reduce_sum");
  /// True on every rank if `flag` is true on any rank: lets all ranks stop at the same step when one of
  /// them got SIGTERM. One collective.
  bool any(bool flag);
  /// Overwrites each tensor with root's, in place; one flat buffer (one collective) per dtype. Shapes and
  /// dtypes must match across ranks.
  void broadcast(std::vector<torch::Tensor>& tensors, int root = 0);
  /// Every rank's string, indexed by rank. Two collectives (lengths, then bytes).
  std::vector<std::string> all_gather_string(const std::string& value);
  void barrier();

  /// Collectives issued so far by this Group and what is built on it (GradientSync buckets, SyncBatchNorm),
  /// for benchmarks. A 1-rank group issues none and stays at 0.
  int64_t collective_calls() const;
  /// Time spent in collectives so far, by purpose, for benchmarks: the operation's name ("broadcast", ...),
  /// all_reduce_sum's `purpose`, and "gradient_buckets" for GradientSync. A blocking collective's seconds are
  /// this rank's wait; gradient buckets run in the background during the backward pass, so theirs are
  /// time in flight, an upper bound of the wait they add to the step. That holds for Gloo; NCCL completes
  /// work when it is enqueued on the GPU stream, so there the figures are host-side launch times. Empty for
  /// a 1-rank group.
  std::map<std::string, CollectiveTime> collective_times() const;

  struct Impl;
  /// For the implementation files of steel::dist only (see group_impl.h).
  Impl& impl() { return *impl_; }

 private:
  explicit Group(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace steel::dist
