// CapturableAdam computes Adam's update from device-side step counts: the same parameters as torch::optim::Adam
// to rounding, states interchangeable, host-side step counts kept for checkpoints. (Its reason to exist, replay
// inside a CUDA graph, is tested on a GPU by tests/unit/cuda.)
#include <gtest/gtest.h>

#include "optimizer_test_util.h"
#include "steel/train/capturable_adam.h"

namespace steel::train {
namespace {

using testing::clone_params;
using testing::load_state;
using testing::make_params;
using testing::saved_state;

void run(torch::optim::Optimizer& optimizer, const std::vector<torch::Tensor>& params, int steps, int seed) {
  torch::manual_seed(seed);
  for (int s = 0; s < steps; ++s) {
    optimizer.zero_grad();
    for (const auto& p : params) p.mutable_grad() = torch::randn(p.sizes());
    optimizer.step();
  }
}

// The update is Adam's, reassociated (the step size divides the denominator instead of scaling the quotient):
// equal to float32 rounding, over enough steps that a wrong bias correction would show.
void expect_close(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::allclose(a[i], b[i], /*rtol=*/1e-5, /*atol=*/1e-6))
        << "parameter " << i << ": max difference " << (a[i] - b[i]).abs().max().item<double>();
  }
}

// torch::optim::Adam and CapturableAdam on equal copies of the same parameters.
struct TwoOptimizers {
  explicit TwoOptimizers(const torch::optim::AdamOptions& options)
      : adam(reference, options), capturable(ours, options) {}
  std::vector<torch::Tensor> reference = make_params();
  std::vector<torch::Tensor> ours = clone_params(reference);
  torch::optim::Adam adam;
  CapturableAdam capturable;
};

// The host-side step count of the first parameter's state (all are equal under CapturableAdam).
int64_t host_step(torch::optim::Adam& optimizer) {
  for (auto& entry : optimizer.state()) return static_cast<torch::optim::AdamParamState&>(*entry.second).step();
  return -1;
}

TEST(CapturableAdam, MatchesAdam) {
  for (const double weight_decay : {0.0, 0.01}) {
    const auto options = torch::optim::AdamOptions(1e-2).betas({0.9, 0.999}).eps(1e-7).weight_decay(weight_decay);
    TwoOptimizers two(options);
    auto& [reference, ours, adam, capturable] = two;
    run(adam, reference, 12, 11);
    run(capturable, ours, 12, 11);
    expect_close(ours, reference);
    EXPECT_FALSE(torch::allclose(ours[0], make_params()[0])) << "the parameters did not move";
  }
}

TEST(CapturableAdam, AWrongBiasCorrectionIsSeen) {
  // The comparison above can fail: Adam one step behind (its bias correction from step k-1) is not close.
  const auto options = torch::optim::AdamOptions(1e-2).eps(1e-7);
  TwoOptimizers two(options);
  auto& [reference, ours, adam, capturable] = two;
  run(adam, reference, 3, 11);
  run(capturable, ours, 2, 11);
  bool any_far = false;
  for (size_t i = 0; i < ours.size(); ++i) any_far |= !torch::allclose(ours[i], reference[i], 1e-5, 1e-6);
  EXPECT_TRUE(any_far);
}

TEST(CapturableAdam, StateLoadsIntoAdamAndBack) {
  const auto options = torch::optim::AdamOptions(1e-2).eps(1e-7);
  TwoOptimizers two(options);
  auto& [reference, ours, adam, capturable] = two;
  run(adam, reference, 3, 5);
  run(capturable, ours, 3, 5);
  EXPECT_EQ(host_step(capturable), 3);

  // A checkpoint of either class resumes in the other, and the device-side step count restarts from the host's.
  auto a_params = clone_params(reference);
  auto b_params = clone_params(ours);
  CapturableAdam resumed_capturable(a_params, options);
  torch::optim::Adam resumed_adam(b_params, options);
  load_state(resumed_capturable, saved_state(adam));
  load_state(resumed_adam, saved_state(capturable));
  run(resumed_capturable, a_params, 4, 9);
  run(resumed_adam, b_params, 4, 9);
  run(adam, reference, 4, 9);
  expect_close(a_params, reference);
  expect_close(b_params, reference);
  EXPECT_EQ(host_step(resumed_capturable), 7);
}

TEST(CapturableAdam, ReplayedStepsAdvanceTheHostCount) {
  auto params = make_params();
  CapturableAdam capturable(params, torch::optim::AdamOptions(1e-2));
  run(capturable, params, 2, 1);
  capturable.note_replayed_step();
  capturable.note_replayed_step();
  EXPECT_EQ(host_step(capturable), 4);
}

TEST(CapturableAdam, RefusesAParameterWithoutGradient) {
  auto params = make_params();
  CapturableAdam capturable(params, torch::optim::AdamOptions(1e-2));
  params[0].mutable_grad() = torch::ones_like(params[0]);
  params[1].mutable_grad() = torch::ones_like(params[1]);
  EXPECT_THROW(capturable.step(), c10::Error);
}

}  // namespace
}  // namespace steel::train
