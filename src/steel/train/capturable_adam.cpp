#include "steel/train/capturable_adam.h"

#include "steel/cuda/step_graph.h"
#include "steel/train/adam_state.h"

namespace steel::train {
namespace {

const torch::optim::AdamOptions& adam_options(const torch::optim::OptimizerParamGroup& group) {
  return static_cast<const torch::optim::AdamOptions&>(group.options());
}

}  // namespace

CapturableAdam::CapturableAdam(std::vector<torch::Tensor> params, torch::optim::AdamOptions options)
    : torch::optim::Adam(std::move(params), std::move(options)) {
  TORCH_CHECK(param_groups().size() == 1, "CapturableAdam: one parameter group expected");
  TORCH_CHECK(!adam_options(param_groups()[0]).amsgrad(), "CapturableAdam: amsgrad is not supported");
}

// The device-side step count starts from the host-side one (0, or a checkpoint's), which must be the same for
// every parameter. The moment tensors are created here too, before any capture, at fixed addresses.
void CapturableAdam::ensure_device_state() {
  if (step_count_.defined()) return;
  auto& group = param_groups()[0];
  TORCH_CHECK(!group.params().empty(), "CapturableAdam: no parameters");
  const auto device = group.params()[0].device();
  int64_t steps = -1;
  for (auto& p : group.params()) {
    TORCH_CHECK(p.device() == device, "CapturableAdam: parameters on ", device, " and ", p.device());
    const int64_t s = adam_state(*this, p).step();
    TORCH_CHECK(steps < 0 || s == steps, "CapturableAdam: parameters at different step counts (", steps, " and ", s,
                ")");
    steps = s;
  }
  const auto on_device = torch::TensorOptions().dtype(torch::kFloat64).device(device);
  step_count_ = torch::full({}, static_cast<double>(steps), on_device);
  lr_ = torch::full({}, adam_options(group).lr(), on_device);
}

torch::Tensor CapturableAdam::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  ensure_device_state();
  auto& group = param_groups()[0];
  const auto& options = adam_options(group);
  const auto [beta1, beta2] = options.betas();
  std::vector<torch::Tensor> params, grads, exp_avgs, exp_avg_sqs;
  for (auto& p : group.params()) {
    TORCH_CHECK(p.grad().defined(), "CapturableAdam: a parameter has no gradient (every step must update all)");
    auto& s = adam_state(*this, p);
    // The host-side count is bookkeeping for checkpoints; a step being captured has not run yet, and its
    // replays are counted by note_replayed_step().
    if (!cuda::capturing()) s.step(s.step() + 1);
    params.push_back(p);
    grads.push_back(options.weight_decay() != 0 ? p.grad().add(p, options.weight_decay()) : p.grad());
    exp_avgs.push_back(s.exp_avg());
    exp_avg_sqs.push_back(s.exp_avg_sq());
  }
  // Adam's arithmetic with every step-dependent scalar a device tensor: nothing here reads a host number that
  // changes from step to step.
  step_count_.add_(1);
  const auto bias_correction1 = 1 - torch::pow(beta1, step_count_);
  const auto bias_correction2_sqrt = torch::sqrt(1 - torch::pow(beta2, step_count_));
  const auto neg_step_size = -lr_ / bias_correction1;
  at::_foreach_mul_(exp_avgs, beta1);
  at::_foreach_add_(exp_avgs, grads, 1 - beta1);
  at::_foreach_mul_(exp_avg_sqs, beta2);
  at::_foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2);
  auto denoms = at::_foreach_sqrt(exp_avg_sqs);
  // The list forms with one 0-dim tensor repeated: they exist in every LibTorch steel builds against.
  at::_foreach_div_(denoms, std::vector<torch::Tensor>(denoms.size(), bias_correction2_sqrt));
  at::_foreach_add_(denoms, options.eps());
  at::_foreach_div_(denoms, std::vector<torch::Tensor>(denoms.size(), neg_step_size));
  at::_foreach_addcdiv_(params, exp_avgs, denoms);
  return loss;
}

void CapturableAdam::note_replayed_step() {
  for (auto& p : param_groups()[0].params()) {
    auto& s = adam_state(*this, p);
    s.step(s.step() + 1);
  }
}

void CapturableAdam::load(torch::serialize::InputArchive& archive) {
  torch::optim::Adam::load(archive);
  step_count_ = torch::Tensor();
  lr_ = torch::Tensor();
}

}  // namespace steel::train
