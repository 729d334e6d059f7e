// Adam whose update is a handful of multi-tensor (foreach) kernels over all parameters, as PyTorch 2's default
// Adam on a GPU, instead of LibTorch's per-parameter loop of about eight kernels each.
#pragma once

#include <torch/torch.h>

namespace steel::train {

/// torch::optim::Adam with the same arithmetic, options and state, so its checkpoints load into either class;
/// only the update is grouped: parameters that share a step count (normally all of them) are updated together.
/// On the CPU the foreach ops loop over the tensors and give bit-identical results; on a GPU they launch a few
/// kernels for the whole model (EfficientNet-B7 trains 741 tensors). amsgrad falls back to Adam's own step.
class ForeachAdam : public torch::optim::Adam {
 public:
  using torch::optim::Adam::Adam;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace steel::train
