// ForeachAdam computes exactly what torch::optim::Adam computes, and their states are interchangeable.
#include <gtest/gtest.h>

#include "optimizer_test_util.h"
#include "steel/train/foreach_adam.h"

namespace steel::train {
namespace {

using testing::clone_params;
using testing::load_state;
using testing::make_params;
using testing::saved_state;

// Step `steps` times with the same pseudo-random gradients; parameter 1 gets none on odd steps, so the step
// counts part (as a frozen-then-unfrozen layer's would) and bias correction must follow each one.
void run(torch::optim::Optimizer& optimizer, const std::vector<torch::Tensor>& params, int steps, int seed) {
  torch::manual_seed(seed);
  for (int s = 0; s < steps; ++s) {
    optimizer.zero_grad();
    for (size_t i = 0; i < params.size(); ++i) {
      const auto grad = torch::randn(params[i].sizes());
      if (i == 1 && s % 2 == 1) continue;
      params[i].mutable_grad() = grad;
    }
    optimizer.step();
  }
}

void expect_equal(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
}

TEST(ForeachAdam, BitIdenticalToAdamOnTheCpu) {
  for (const double weight_decay : {0.0, 0.01}) {
    const auto options = torch::optim::AdamOptions(1e-2).betas({0.9, 0.999}).eps(1e-7).weight_decay(weight_decay);
    auto reference = make_params();
    auto ours = clone_params(reference);
    torch::optim::Adam adam(reference, options);
    ForeachAdam foreach_adam(ours, options);
    run(adam, reference, 7, 11);
    run(foreach_adam, ours, 7, 11);
    expect_equal(ours, reference);
    EXPECT_FALSE(torch::equal(ours[0], make_params()[0])) << "the parameters did not move";
  }
}

TEST(ForeachAdam, StateLoadsIntoAdamAndBack) {
  const auto options = torch::optim::AdamOptions(1e-2).eps(1e-7);
  auto reference = make_params();
  auto ours = clone_params(reference);
  torch::optim::Adam adam(reference, options);
  ForeachAdam foreach_adam(ours, options);
  run(adam, reference, 3, 5);
  run(foreach_adam, ours, 3, 5);

  // Continue each from the other's saved state: a checkpoint of one class resumes in the other.
  auto a_params = clone_params(reference);
  auto b_params = clone_params(ours);
  ForeachAdam resumed_foreach(a_params, options);
  torch::optim::Adam resumed_adam(b_params, options);
  load_state(resumed_foreach, saved_state(adam));
  load_state(resumed_adam, saved_state(foreach_adam));
  run(resumed_foreach, a_params, 4, 9);
  run(resumed_adam, b_params, 4, 9);
  run(adam, reference, 4, 9);
  expect_equal(a_params, reference);
  expect_equal(b_params, reference);
}

}  // namespace
}  // namespace steel::train
