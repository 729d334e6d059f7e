// One training epoch of one fold, from wherever the loop state stands: the batch plan, the loader, the step,
// the per-step decision all ranks take together (non-finite loss, stop signal), progress and hooks.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "steel/loader/shard_set.h"
#include "steel/run/run_record.h"
#include "steel/train/checkpoint.h"
#include "steel/train/resolved_config.h"
#include "steel/train/train_step.h"

namespace steel::dist {
class Group;
}

namespace steel::train {

/// Collectives per training step of a completed pass (run.json and the benchmarks).
struct CollectiveStats {
  double calls_per_step = 0;
  std::map<std::string, run::CollectiveShare> time_per_step;  ///< by purpose
};

/// What a pass over (the rest of) an epoch did.
struct EpochPass {
  /// A stop signal ended the pass: state.step, state.train_sums (all-reduced) and state.train_seconds hold the
  /// partial epoch, ready for a checkpoint. The fields below are then unset.
  bool stopped = false;
  torch::Tensor train_sums;  ///< completed: the epoch's MetricSums, all-reduced, on the CPU
  double train_seconds = 0;  ///< completed: the epoch's training time, earlier sessions included
  int64_t steps = 0;         ///< global batches of the epoch (after --max-train-batches)
  double loader_wait_seconds = 0;
  std::optional<CollectiveStats> collectives;  ///< completed and at least one step ran in this pass
};

struct EpochContext {
  const ResolvedConfig& config;
  dist::Group& group;
  int fold = 0;
  std::string checkpoint;  ///< named in the non-finite-loss error
  bool progress = false;   ///< draw a progress bar on stderr
  std::function<void(int fold, int64_t epoch, int64_t step)> after_step;
  /// Each step's loss and images/s (all ranks) at the fold's global step, for the TensorBoard log; may be empty.
  std::function<void(int64_t global_step, double loss, double images_per_second)> log_step;
};

/// Trains epoch state.epoch from step state.step to its end, or until a stop signal. Throws TrainingError when
/// any rank's loss is not finite (every rank throws at the same step). Leaves state.epoch alone.
EpochPass train_epoch(TrainStep& step, models::UNet& model, const loader::ShardSet& data, LoopState& state,
                      const EpochContext& context);

}  // namespace steel::train
