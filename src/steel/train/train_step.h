// One training step, the same for steel_train and the step benchmark: forward under autocast, float32 BCE,
// backward with gradients averaged over ranks, Adam (skipped on an fp16 overflow); eagerly, or under
// --cuda-graphs as one captured CUDA graph.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "steel/models/unet.h"
#include "steel/train/autocast.h"
#include "steel/train/loss_scaler.h"

namespace steel::cuda {
class StepGraph;
}
namespace steel::dist {
class GradientSync;
class Group;
}  // namespace steel::dist

namespace steel::train {

class CapturableAdam;

/// Eager steps before the step is captured (--cuda-graphs): PyTorch's DDP notes ask for 11, so that the Reducer's
/// bucket rebuild and every lazily created handle and buffer exist before capture.
constexpr int64_t kGraphWarmupSteps = 11;

/// The per-element mean BCE over this rank's local batch, in float32 whatever the autocast precision. The
/// gradient sync averages it over ranks with equal local batches, which is the mean over the global batch.
torch::Tensor bce_loss(const torch::Tensor& logits, const torch::Tensor& masks);

struct TrainStepOptions {
  TORCH_ARG(AmpMode, amp) = AmpMode::kOff;
  TORCH_ARG(bool, channels_last) = false;  ///< inputs in NHWC, as the model's parameters
  TORCH_ARG(bool, cuda_graphs) = false;
  TORCH_ARG(std::string, name) = "training";  ///< log prefix, e.g. "fold 3"
};

class TrainStep {
 public:
  /// Takes the model's trainable parameters and builds Adam over them (CapturableAdam under cuda_graphs, whose
  /// step count and learning rate live on the device) and the fp16 loss scaler. Load a checkpoint into
  /// optimizer() after this and before connect().
  TrainStep(models::UNet model, const torch::optim::AdamOptions& adam, TrainStepOptions options = {});
  ~TrainStep();
  TrainStep(const TrainStep&) = delete;
  TrainStep& operator=(const TrainStep&) = delete;

  /// Builds the gradient sync on `group` (on the graph's side stream under cuda_graphs, as PyTorch's DDP capture
  /// rules ask), on group->device(). After the replicas are broadcast and verified; before run().
  void connect(std::shared_ptr<dist::Group> group);

  /// Forward, loss and backward on one batch (host or device tensors: they are moved to the device); under
  /// cuda_graphs also the update. Does not wait for the device.
  void run(const torch::Tensor& images, const torch::Tensor& masks);
  /// The eager update after run(): unscale and check the gradients, then Adam. Nothing under cuda_graphs (the
  /// graph updated already).
  void update();

  const torch::Tensor& loss() const { return loss_; }
  const torch::Tensor& logits() const { return logits_; }
  const torch::Tensor& masks() const { return masks_; }
  torch::optim::Adam& optimizer() { return *optimizer_; }
  LossScaler& scaler() { return scaler_; }

 private:
  void forward_backward();

  models::UNet model_;
  TrainStepOptions options_;
  torch::Device device_{torch::kCPU};
  std::vector<torch::Tensor> parameters_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  CapturableAdam* capturable_adam_ = nullptr;  ///< optimizer_ under cuda_graphs
  LossScaler scaler_;
  std::unique_ptr<dist::GradientSync> gradient_sync_;
  std::unique_ptr<cuda::StepGraph> graph_;
  int64_t steps_run_ = 0;  ///< by this process, for the graph's warm-up
  // Under cuda_graphs the step reads `images_`, `masks_` and writes `logits_`, `loss_`: fixed addresses from the
  // capture on.
  torch::Tensor images_, masks_, logits_, loss_;
};

}  // namespace steel::train
