#include "steel/models/param_count.h"

#include <string>
#include <unordered_set>

namespace steel::models {

namespace {

// BatchNorm's running statistics are what Keras calls moving_mean / moving_variance; num_batches_tracked
// has no Keras counterpart and is not counted.
bool is_moving_statistic(const std::string& buffer_name) {
  auto ends_with = [&](const std::string& suffix) {
    return buffer_name.size() >= suffix.size() &&
           buffer_name.compare(buffer_name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with("running_mean") || ends_with("running_var");
}

}  // namespace

ParamCounts count_module_parameters(const torch::nn::Module& module) {
  ParamCounts counts;
  for (const auto& p : module.parameters()) {
    counts.torch_total += p.numel();
    if (p.requires_grad()) counts.torch_trainable += p.numel();
  }
  int64_t moving = 0;
  for (const auto& item : module.named_buffers()) {
    if (is_moving_statistic(item.key())) moving += item.value().numel();
  }
  counts.keras_total = counts.torch_total + moving;
  counts.keras_trainable = counts.torch_trainable;
  return counts;
}

ParamCounts count_parameters(const UNetImpl& model) {
  ParamCounts counts = count_module_parameters(model);
  std::unordered_set<const void*> encoder_parameters;
  for (const auto& p : model.encoder().parameters()) encoder_parameters.insert(p.unsafeGetTensorImpl());
  for (const auto& p : model.encoder().normalization_parameters()) encoder_parameters.erase(p.unsafeGetTensorImpl());
  // What Keras' freeze_model leaves trainable: everything except the encoder's non-normalisation weights.
  counts.keras_trainable = 0;
  for (const auto& p : model.parameters()) {
    if (encoder_parameters.count(p.unsafeGetTensorImpl()) == 0) counts.keras_trainable += p.numel();
  }
  return counts;
}

}  // namespace steel::models
