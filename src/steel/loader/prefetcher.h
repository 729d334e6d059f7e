// Background batch assembly: HDF5 chunk reads and decompression run ahead of the training step on worker threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <torch/torch.h>

#include "steel/loader/shard_set.h"

namespace steel::loader {

/// One batch ready for the model.
struct Batch {
  torch::Tensor images;  ///< [B,3,H,W] float32 in [0,1]: the grayscale record replicated (record_encoding.h)
  torch::Tensor masks;   ///< [B,4,H,W] float32 in {0,1}: one plane per defect class
  std::vector<int64_t> records;
};

struct PrefetcherOptions {
  int threads = 2;          ///< workers assembling batches
  int depth = 4;            ///< batches prepared ahead of the consumer
  bool flips = false;       ///< random horizontal and vertical flips (training)
  uint64_t seed = 0;        ///< with `epoch`, fixes every flip decision
  int64_t epoch = 0;
  bool pin_memory = false;  ///< page-locked host tensors, for asynchronous copies to a GPU
};

/// Validation, test and inference: records in the order given, no flips, pinned host memory when the model is on
/// a GPU. The one place this rule is written.
PrefetcherOptions ordered_loader(int threads, int depth, const torch::Device& device);

/// Delivers `batches` (lists of record indices into `data`) in order. Workers take batches in order and build
/// each one whole: raw chunks come out of HDF5 (whose global lock serialises only that short read) and are
/// decompressed and converted outside it, so decompression runs in parallel. At most `depth` batches are held
/// ahead of the consumer. A batch that failed to build rethrows its exception from the `next` that would
/// have returned it; the batches before it are delivered first. Flip decisions depend only on
/// (seed, epoch, record), never on threads or ranks.
class Prefetcher {
 public:
  Prefetcher(const ShardSet& data, std::vector<std::vector<int64_t>> batches, PrefetcherOptions options = {});
  ~Prefetcher();
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  /// The next batch in order, or nullopt after the last. Blocks until it is ready.
  std::optional<Batch> next();
  /// Seconds `next` spent waiting for a batch that was not ready yet.
  double wait_seconds() const { return wait_seconds_; }

 private:
  void work();
  Batch assemble(const std::vector<int64_t>& records) const;

  const ShardSet& data_;
  std::vector<std::vector<int64_t>> batches_;
  PrefetcherOptions options_;

  std::mutex mutex_;
  std::condition_variable ready_;   ///< a batch was finished
  std::condition_variable space_;   ///< the consumer took one, or stop
  std::map<std::size_t, Batch> done_;
  std::map<std::size_t, std::exception_ptr> failed_;
  bool error_ = false;  ///< some job failed: start no new ones
  std::size_t next_to_start_ = 0;
  std::size_t next_to_deliver_ = 0;
  bool stop_ = false;
  double wait_seconds_ = 0;
  std::vector<std::thread> workers_;
};

/// Builds one batch on the calling thread (what each worker does); also used by tests and benchmarks.
Batch assemble_batch(const ShardSet& data, const std::vector<int64_t>& records, const PrefetcherOptions& options);

}  // namespace steel::loader
