#include "steel/train/validation.h"

#include "steel/dist/group.h"
#include "steel/loader/batch_plan.h"
#include "steel/loader/prefetcher.h"
#include "steel/train/autocast.h"
#include "steel/train/device.h"
#include "steel/train/metrics.h"

namespace steel::train {

torch::Tensor validation_sums(models::UNet& model, const loader::ShardSet& data, const ResolvedConfig& config,
                              dist::Group& group) {
  model->eval();
  torch::NoGradGuard no_grad;
  auto batches = loader::eval_batches(config.val_records(data.size()), config.local_batch, group.rank(), group.size());
  loader::Prefetcher val_batches(data, std::move(batches), config.val_loader());
  auto sums = MetricSums::zeros().to(config.device);
  while (auto batch = val_batches.next()) {
    auto images = to_device(batch->images, config.device, config.options.channels_last);
    auto masks = batch->masks.to(config.device, /*non_blocking=*/true);
    torch::Tensor logits;
    {
      AutocastGuard autocast(config.amp, config.device);
      logits = model->forward(images);
    }
    sums += batch_metric_sums(logits, masks);
  }
  std::vector<torch::Tensor> reduce{sums};
  group.all_reduce_sum(reduce);
  return reduce[0].cpu();
}

}  // namespace steel::train
