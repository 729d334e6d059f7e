// Adam whose step count and learning rate live on the device, so that a captured CUDA graph of the training
// step (--cuda-graphs) replays a correct update: LibTorch's Adam computes its bias corrections from a host
// integer, which a replayed graph would freeze at the captured step.
#pragma once

#include <torch/torch.h>

namespace steel::train {

/// torch::optim::Adam's update (PyTorch's `capturable=True` form) with the same options and state, so its
/// checkpoints load into Adam or ForeachAdam and theirs into it. The bias corrections and the step size are
/// computed on the parameters' device from a step-count tensor; the host-side step counts in the state are
/// kept up to date for checkpoints: step() advances them when it runs eagerly, note_replayed_step() when a
/// captured step() was replayed. Every parameter must receive a gradient at every step (one step count for
/// all, as under GradientSync); amsgrad is not supported.
class CapturableAdam : public torch::optim::Adam {
 public:
  CapturableAdam(std::vector<torch::Tensor> params, torch::optim::AdamOptions options);

  torch::Tensor step(LossClosure closure = nullptr) override;
  /// A replayed graph ran step() on the device: advance the host-side step counts to match.
  void note_replayed_step();
  void load(torch::serialize::InputArchive& archive) override;

 private:
  void ensure_device_state();
  torch::Tensor step_count_;  // float64 scalar on the parameters' device
  torch::Tensor lr_;          // float64 scalar on the parameters' device
};

}  // namespace steel::train
