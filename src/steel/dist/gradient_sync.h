// Bucketed gradient averaging across ranks that overlaps with the backward pass (DDP's c10d::Reducer).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "steel/dist/group.h"

namespace steel::dist {

/// Options for GradientSync; the defaults are DistributedDataParallel's.
struct GradientSyncOptions {
  /// Size of each gradient bucket, in MiB: one all-reduce per bucket.
  TORCH_ARG(int64_t, bucket_cap_mb) = 25;
  /// Size of the first bucket (the last layers' gradients), in MiB: small so communication starts early.
  TORCH_ARG(int64_t, first_bucket_cap_mb) = 1;
};

/// Averages the gradients of `params` across the group during backward, as PyTorch's DDP does: autograd
/// hooks copy each gradient into a bucket as soon as it is computed, and a full bucket is all-reduced while
/// backward goes on with earlier layers. After backward, every rank holds the MEAN over ranks of the
/// per-rank gradients. So compute each rank's loss as the mean over its local batch: with equal local
/// batch sizes, the mean over ranks of local means is the mean over the global batch, and N ranks take
/// the same step as one process with the whole batch.
///
/// Only parameters that require grad are synchronised (frozen encoder weights are left out); every rank
/// must pass the same parameters in the same order, and every one of them must receive a gradient in every
/// synchronised step. With a 1-rank group nothing is built and every call is a no-op.
///
/// Per step: prepare_forward(); loss = ...; backward(loss) (or prepare_backward(loss); loss.backward()).
/// To accumulate gradients over several micro-batches without communicating, skip prepare_backward() on
/// all but the last one.
class GradientSync {
 public:
  GradientSync(std::shared_ptr<Group> group, std::vector<torch::Tensor> params, GradientSyncOptions options = {});
  ~GradientSync();
  GradientSync(const GradientSync&) = delete;
  GradientSync& operator=(const GradientSync&) = delete;

  /// Call before each forward of a synchronised step. After the first step it re-orders the buckets to
  /// the order in which gradients actually arrived (one broadcast, once).
  void prepare_forward();
  /// Arms the reducer: the next backward of `loss` all-reduces every bucket.
  void prepare_backward(const torch::Tensor& loss);
  /// prepare_backward(loss) then loss.backward(); a failed all-reduce becomes a steel::DistError that names
  /// the rank at fault (a bare loss.backward() would throw c10::Error).
  void backward(const torch::Tensor& loss);

  /// Number of buckets, i.e. all-reduces per backward; 0 for a 1-rank group.
  int64_t num_buckets() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace steel::dist
