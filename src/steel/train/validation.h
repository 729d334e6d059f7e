// Validation after each epoch: metric sums over this rank's share of the validation fold, all-reduced.
#pragma once

#include <vector>

#include <torch/torch.h>
#include <opencv2/core.hpp>

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

/// Pictures of `count` validation records spread over `data` (the same ones every epoch): ground truth above,
/// the model's prediction (pixels above 0.5) below, as steel_eval draws them. On the calling rank only.
std::vector<cv::Mat> validation_overlays(models::UNet& model, const loader::ShardSet& data,
                                         const ResolvedConfig& config, int count);

}  // namespace steel::train
