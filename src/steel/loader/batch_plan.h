// Which records go into which batch on which rank: a function of the seed and the epoch only.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace steel::loader {

/// One epoch's training order. The global batch sequence depends on (records, global batch, seed, epoch) and
/// never on the number of ranks: one global permutation per epoch, cut into global batches, each rank taking
/// its contiguous slice of every global batch. A trailing partial batch is dropped (as DDP's drop_last) so that
/// every rank has the same local batch size: with unequal slices the ranks' averaged gradients would no longer
/// equal the gradient of the global batch.
class TrainBatchPlan {
 public:
  TrainBatchPlan(int64_t records, int64_t global_batch, uint64_t seed, int64_t epoch);

  int64_t batches() const { return static_cast<int64_t>(order_.size()) / global_batch_; }
  int64_t global_batch() const { return global_batch_; }
  /// Record indices of global batch b, all ranks together.
  std::vector<int64_t> global_batch_records(int64_t b) const;
  /// Rank `rank` of `world`'s part of global batch b. `world` must divide the global batch.
  std::vector<int64_t> local_batch_records(int64_t b, int rank, int world) const;
  /// The whole permutation (tests and resume checks).
  const std::vector<int64_t>& order() const { return order_; }

 private:
  int64_t global_batch_;
  std::vector<int64_t> order_;
};

/// Validation and test: every record exactly once, in file order. Rank r takes a contiguous share (shares differ
/// by at most one record) and cuts it into local batches; metric sums make the uneven shares harmless.
std::vector<std::vector<int64_t>> eval_batches(int64_t records, int64_t local_batch, int rank, int world);

/// Each rank's share of a global batch: global_batch / world, or nullopt when `world` ranks cannot take equal
/// shares (the one place the divisibility rule is written).
std::optional<int64_t> local_batch_size(int64_t global_batch, int world);

}  // namespace steel::loader
