#include "steel/train/resolved_config.h"

#include <algorithm>
#include <string>

#include "steel/core/error.h"
#include "steel/core/parallel.h"
#include "steel/dist/group.h"
#include "steel/loader/batch_plan.h"
#include "steel/loader/shard_set.h"
#include "steel/models/model_factory.h"

namespace steel::train {

int64_t ResolvedConfig::train_steps(int64_t plan_batches) const {
  return options.max_train_batches > 0 ? std::min<int64_t>(plan_batches, options.max_train_batches) : plan_batches;
}

int64_t ResolvedConfig::val_records(int64_t records) const {
  return options.max_val_batches > 0 ? std::min(records, int64_t{options.max_val_batches} * global_batch) : records;
}

loader::PrefetcherOptions ResolvedConfig::val_loader() const {
  return loader::ordered_loader(options.loader_threads, options.prefetch_batches, device);
}

loader::PrefetcherOptions ResolvedConfig::train_loader(int64_t epoch) const {
  auto loader = val_loader();
  loader.flips = options.flips;
  loader.seed = options.seed;
  loader.epoch = epoch;
  return loader;
}

int64_t global_batch_size(const TrainOptions& options, int world_size) {
  const int64_t global_batch =
      options.batch_per_rank > 0 ? int64_t{options.batch_per_rank} * world_size : int64_t{options.batch_size};
  if (!loader::local_batch_size(global_batch, world_size)) {
    throw ConfigError("--batch-size " + std::to_string(global_batch) + " does not divide evenly across " +
                      std::to_string(world_size) + " ranks; pick a multiple or use --batch-per-rank");
  }
  return global_batch;
}

std::vector<int> folds_to_train(const TrainOptions& options, int num_folds) {
  if (options.fold >= 0 && options.fold >= num_folds) {
    throw ConfigError("--fold " + std::to_string(options.fold) + " is out of range: " + options.data_dir +
                      " has folds 0.." + std::to_string(num_folds - 1));
  }
  if (options.fold >= 0) return {options.fold};
  std::vector<int> folds;
  for (int k = 0; k < num_folds; ++k) folds.push_back(k);
  return folds;
}

ResolvedConfig resolve_config(const TrainOptions& options, const RunEnvironment& environment) {
  ResolvedConfig config;
  config.options = options;
  config.device = environment.device;
  config.amp = parse_amp(options.amp);
  check_amp_supported(config.amp, config.device);
  config.world_size = environment.world_size;
  config.rank = environment.rank;
  config.global_batch = global_batch_size(options, environment.world_size);
  config.local_batch = *loader::local_batch_size(config.global_batch, environment.world_size);
  config.intra_op_threads = intra_op_threads(options.threads, environment.ranks_on_host);
  config.num_folds = environment.num_folds;
  config.folds = folds_to_train(options, environment.num_folds);
  return config;
}

ResolvedConfig resolve_config(const TrainOptions& options, const dist::Group& group, const torch::Device& device) {
  models::make_unet(options.backbone);
  RunEnvironment environment;
  environment.world_size = group.size();
  environment.rank = group.rank();
  environment.ranks_on_host = group.ranks_on_host();
  environment.device = device;
  environment.num_folds = loader::count_folds(options.data_dir);
  return resolve_config(options, environment);
}

}  // namespace steel::train
