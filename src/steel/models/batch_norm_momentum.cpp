#include "steel/models/batch_norm_momentum.h"

#include "steel/models/batch_norm_no_scale.h"

namespace steel::models {

int set_batch_norm_momentum(torch::nn::Module& model, double momentum) {
  TORCH_CHECK(momentum > 0 && momentum <= 1, "set_batch_norm_momentum: momentum must be in (0, 1], got ", momentum);
  int changed = 0;
  for (const auto& module : model.modules(/*include_self=*/true)) {
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(module.get())) {
      bn->options.momentum(momentum);
      ++changed;
    } else if (auto* no_scale = dynamic_cast<BatchNormNoScale2dImpl*>(module.get())) {
      no_scale->set_momentum(momentum);
      ++changed;
    }
  }
  return changed;
}

}  // namespace steel::models
