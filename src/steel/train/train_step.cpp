#include "steel/train/train_step.h"

#include <spdlog/spdlog.h>

#include "steel/cuda/step_graph.h"
#include "steel/dist/gradient_sync.h"
#include "steel/dist/group.h"
#include "steel/train/capturable_adam.h"
#include "steel/train/device.h"
#include "steel/train/foreach_adam.h"

namespace steel::train {

torch::Tensor bce_loss(const torch::Tensor& logits, const torch::Tensor& masks) {
  return torch::binary_cross_entropy_with_logits(logits.to(torch::kFloat32), masks);
}

TrainStep::TrainStep(models::UNet model, const torch::optim::AdamOptions& adam, TrainStepOptions options)
    : model_(std::move(model)),
      options_(std::move(options)),
      parameters_(model_->trainable_parameters()),
      scaler_(options_.amp() == AmpMode::kFp16) {
  if (options_.cuda_graphs()) {
    auto capturable = std::make_unique<CapturableAdam>(parameters_, adam);
    capturable_adam_ = capturable.get();
    optimizer_ = std::move(capturable);
  } else {
    optimizer_ = std::make_unique<ForeachAdam>(parameters_, adam);
  }
}

TrainStep::~TrainStep() = default;

void TrainStep::connect(std::shared_ptr<dist::Group> group) {
  device_ = group->device();
  auto make_gradient_sync = [&] { gradient_sync_ = std::make_unique<dist::GradientSync>(group, parameters_); };
  if (options_.cuda_graphs()) {
    graph_ = std::make_unique<cuda::StepGraph>(device_);
    graph_->run_eager(make_gradient_sync);
  } else {
    make_gradient_sync();
  }
}

void TrainStep::forward_backward() {
  optimizer_->zero_grad();
  gradient_sync_->prepare_forward();
  {
    AutocastGuard autocast(options_.amp(), device_);
    logits_ = model_->forward(images_);
    loss_ = bce_loss(logits_, masks_);
  }
  // Gradients come out averaged over ranks, bucketed and overlapped with the backward pass.
  gradient_sync_->backward(scaler_.scale(loss_));
}

void TrainStep::run(const torch::Tensor& images, const torch::Tensor& masks) {
  TORCH_CHECK(gradient_sync_, "TrainStep::run before connect");
  if (graph_ && graph_->captured()) {
    // The captured step reads its inputs from the addresses it was captured with.
    images_.copy_(images, /*non_blocking=*/true);
    masks_.copy_(masks, /*non_blocking=*/true);
  } else {
    images_ = to_device(images, device_, options_.channels_last());
    masks_ = masks.to(device_, /*non_blocking=*/true);
  }
  auto step_with_update = [&] {
    forward_backward();
    optimizer_->step();
  };
  if (!graph_) {
    forward_backward();
  } else if (steps_run_ < kGraphWarmupSteps) {
    graph_->run_eager(step_with_update);
  } else {
    if (!graph_->captured()) {
      graph_->capture(step_with_update);
      spdlog::info("{}: training step captured as a CUDA graph after {} eager steps", options_.name(), steps_run_);
    }
    graph_->replay();
    capturable_adam_->note_replayed_step();
  }
  ++steps_run_;
}

void TrainStep::update() {
  // Under --cuda-graphs the update is part of the step already; a non-finite loss still ends the run (the caller
  // checks before calling this) and the checkpoint on disk is the last good one.
  if (!graph_ && scaler_.unscale_and_check(parameters_)) optimizer_->step();
}

}  // namespace steel::train
