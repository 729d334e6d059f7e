#include "steel/train/validation.h"

#include <algorithm>

#include "steel/dist/group.h"
#include "steel/eval/classification.h"
#include "steel/eval/overlay.h"
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

std::vector<cv::Mat> validation_overlays(models::UNet& model, const loader::ShardSet& data,
                                         const ResolvedConfig& config, int count) {
  std::vector<cv::Mat> pictures;
  const int64_t n = std::min<int64_t>(count, data.size());
  if (n <= 0) return pictures;
  std::vector<int64_t> records;
  for (int64_t i = 0; i < n; ++i) records.push_back(i * data.size() / n);
  model->eval();
  torch::NoGradGuard no_grad;
  const auto batch = loader::assemble_batch(data, records, {});
  torch::Tensor logits;
  {
    AutocastGuard autocast(config.amp, config.device);
    logits = model->forward(to_device(batch.images, config.device, config.options.channels_last));
  }
  const auto probabilities = torch::sigmoid(logits.to(torch::kFloat32)).cpu();
  const auto every_class = torch::ones({probabilities.size(1)}, torch::kBool);
  const int h = static_cast<int>(data.height());
  const int w = static_cast<int>(data.width());
  std::vector<uint8_t> image(static_cast<std::size_t>(h) * w);
  std::vector<uint8_t> mask(static_cast<std::size_t>(h) * w);
  for (int64_t i = 0; i < n; ++i) {
    const auto [reader, index] = data.locate(records[static_cast<std::size_t>(i)]);
    reader->read_record(index, image.data(), mask.data());
    const auto bits = eval::class_bitfield(probabilities[i], every_class, 0.5).to(torch::kUInt8).contiguous();
    const cv::Mat predicted(h, w, CV_8UC1, bits.data_ptr<uint8_t>());
    pictures.push_back(eval::draw_overlay(cv::Mat(h, w, CV_8UC1, image.data()), cv::Mat(h, w, CV_8UC1, mask.data()),
                                          predicted, reader->meta(index).image_id));
  }
  return pictures;
}

}  // namespace steel::train
