// The training step that steel_train and steel_model_bench share computes exactly the textbook step: zero the
// gradients, forward, float32 BCE, backward, Adam.
#include "steel/train/train_step.h"

#include <gtest/gtest.h>

#include "steel/dist/group.h"
#include "steel/dist/launch.h"
#include "steel/models/model_factory.h"
#include "steel/train/foreach_adam.h"

namespace steel::train {
namespace {

models::UNet small_model() {
  torch::manual_seed(0);
  return models::make_unet("resnet18", models::UNetOptions().encoder_mode(models::EncoderMode::kTrainable));
}

TEST(TrainStep, IsTheTextbookStepBitForBit) {
  torch::manual_seed(1);
  const auto images = torch::rand({2, 3, 64, 64});
  const auto masks = (torch::rand({2, 4, 64, 64}) > 0.8).to(torch::kFloat32);
  const auto adam = torch::optim::AdamOptions(1e-3);

  auto ours = small_model();
  TrainStep step(ours, adam, TrainStepOptions().name("test"));
  step.connect(dist::Group::create(dist::LaunchInfo{}, torch::kCPU));

  auto reference = small_model();
  ForeachAdam reference_adam(reference->trainable_parameters(), adam);
  for (int s = 0; s < 3; ++s) {
    step.run(images, masks);
    step.update();
    reference_adam.zero_grad();
    const auto loss = torch::binary_cross_entropy_with_logits(reference->forward(images), masks);
    loss.backward();
    reference_adam.step();
    EXPECT_TRUE(torch::equal(step.loss(), loss)) << "step " << s;
  }
  const auto a = ours->parameters();
  const auto b = reference->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
}

TEST(TrainStep, TheLossIsFloat32UnderBf16) {
  auto model = small_model();
  TrainStep step(model, torch::optim::AdamOptions(1e-3), TrainStepOptions().amp(AmpMode::kBf16));
  step.connect(dist::Group::create(dist::LaunchInfo{}, torch::kCPU));
  step.run(torch::rand({1, 3, 64, 64}), torch::zeros({1, 4, 64, 64}));
  step.update();
  EXPECT_EQ(step.logits().scalar_type(), torch::kBFloat16);
  EXPECT_EQ(step.loss().scalar_type(), torch::kFloat32);
}

}  // namespace
}  // namespace steel::train
