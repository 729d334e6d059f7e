// Validation after each epoch: metric sums over this rank's share of the validation fold, all-reduced.
#pragma once

#include <torch/torch.h>

#include "steel/loader/shard_set.h"
#include "steel/models/unet.h"
#include "steel/train/resolved_config.h"

namespace steel::dist {
class Group;
}

namespace steel::train {

/// MetricSums (metrics.h) of `model` in eval mode over config.val_records(data.size()) records of `data`, every
/// record counted once across the ranks of `group`; on the CPU.
torch::Tensor validation_sums(models::UNet& model, const loader::ShardSet& data, const ResolvedConfig& config,
                              dist::Group& group);

}  // namespace steel::train
