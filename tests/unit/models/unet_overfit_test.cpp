// A tiny U-Net must be able to learn a fixed batch on CPU: the end-to-end check that forward, loss and
// backward are wired so that the model can actually fit masks.
#include <iostream>

#include <gtest/gtest.h>

#include "steel/models/model_factory.h"

namespace steel::models {
namespace {

namespace F = torch::nn::functional;

// Rectangular "defects" per class, like the Severstal masks, on a 32x64 crop.
torch::Tensor fixed_masks() {
  torch::Tensor masks = torch::zeros({2, 4, 32, 64});
  masks.index_put_({0, 0, torch::indexing::Slice(4, 12), torch::indexing::Slice(8, 30)}, 1.0);
  masks.index_put_({0, 2, torch::indexing::Slice(20, 30), torch::indexing::Slice(40, 60)}, 1.0);
  masks.index_put_({1, 1, torch::indexing::Slice(0, 32), torch::indexing::Slice(10, 16)}, 1.0);
  masks.index_put_({1, 3, torch::indexing::Slice(16, 24), torch::indexing::Slice(0, 64)}, 1.0);
  return masks;
}

void expect_overfits(const std::string& backbone) {
  torch::manual_seed(0);
  UNet model = make_unet(backbone, UNetOptions().encoder_mode(EncoderMode::kTrainable));
  model->train();
  const torch::Tensor masks = fixed_masks();
  // Images that carry the masks' information plus noise, so the task is learnable but not trivial.
  const torch::Tensor images =
      (0.5 * torch::rand({2, 3, 32, 64}) + 0.5 * masks.narrow(1, 0, 3)).clamp(0.0, 1.0);
  torch::optim::Adam optimizer(model->trainable_parameters(), torch::optim::AdamOptions(1e-3));
  constexpr int kSteps = 100;
  double first = 0.0;
  double last = 0.0;
  for (int step = 0; step < kSteps; ++step) {
    optimizer.zero_grad();
    const torch::Tensor loss = F::binary_cross_entropy_with_logits(model->forward(images), masks);
    loss.backward();
    optimizer.step();
    if (step == 0) first = loss.item<double>();
    last = loss.item<double>();
  }
  std::cout << "[overfit] " << backbone << ": BCE " << first << " -> " << last << " after " << kSteps
            << " Adam steps (" << first / last << "x)\n";
  EXPECT_LT(last * 5.0, first) << backbone << " did not fit a fixed batch";
}

TEST(UNetOverfit, ResNet18LearnsAFixedBatch) { expect_overfits("resnet18"); }

TEST(UNetOverfit, EfficientNetB0LearnsAFixedBatch) { expect_overfits("efficientnet-b0"); }

}  // namespace
}  // namespace steel::models
