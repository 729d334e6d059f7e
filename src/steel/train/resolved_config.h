// What a training run will do, resolved once from what the user asked for (TrainOptions) and where it runs
// (ranks, device, prep folder): batch sizes, threads, precision, the folds, the loaders' settings.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "steel/loader/prefetcher.h"
#include "steel/train/autocast.h"
#include "steel/train/train_options.h"

namespace steel::dist {
class Group;
}

namespace steel::train {

/// Where the run is: what resolve_config needs besides the options.
struct RunEnvironment {
  int world_size = 1;
  int rank = 0;
  int ranks_on_host = 1;
  torch::Device device{torch::kCPU};
  int num_folds = 0;  ///< folds in the prep folder
};

/// Made once, after the process group exists; everything downstream reads it instead of re-deriving a rule.
struct ResolvedConfig {
  TrainOptions options;  ///< as asked, validated
  torch::Device device{torch::kCPU};
  AmpMode amp = AmpMode::kOff;
  int world_size = 1;
  int rank = 0;
  int64_t global_batch = 0;  ///< --batch-size, or --batch-per-rank x ranks
  int64_t local_batch = 0;   ///< global_batch / world_size, exact
  int intra_op_threads = 1;  ///< LibTorch threads of this rank (--threads, 0 = the cores shared by the host's ranks)
  int num_folds = 0;
  std::vector<int> folds;  ///< --fold, or every fold in order

  /// Global batches an epoch trains: the plan's, cut to --max-train-batches.
  int64_t train_steps(int64_t plan_batches) const;
  /// Validation records: all, or the first --max-val-batches x global batch, whatever the number of ranks, so that
  /// a short run validates the same records on 1 and on N ranks.
  int64_t val_records(int64_t records) const;
  /// Validation's loader: records in order, no flips.
  loader::PrefetcherOptions val_loader() const;
  /// Training's loader for `epoch`: val_loader() plus the seeded flips.
  loader::PrefetcherOptions train_loader(int64_t epoch) const;
};

/// --batch-size, or --batch-per-rank x world_size; ConfigError when the ranks cannot share it equally.
int64_t global_batch_size(const TrainOptions& options, int world_size);

/// --fold alone (ConfigError when the prep folder has no such fold), or 0..num_folds-1.
std::vector<int> folds_to_train(const TrainOptions& options, int num_folds);

/// The pure part: precision (ConfigError when the device cannot run it), batches, threads, folds.
ResolvedConfig resolve_config(const TrainOptions& options, const RunEnvironment& environment);

/// Checks the backbone (an unknown one fails before any file is touched) and counts the prep folder's folds,
/// then resolves for `group` on `device`.
ResolvedConfig resolve_config(const TrainOptions& options, const dist::Group& group, const torch::Device& device);

}  // namespace steel::train
