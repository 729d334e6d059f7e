// SyncBatchNorm through ATen's CUDA kernels equals CUDA BatchNorm, for the layouts and precisions training
// uses. Built only against a CUDA LibTorch; skipped (and reported as skipped) on a host without a GPU.
#include <gtest/gtest.h>

#include "steel/dist/group.h"
#include "steel/dist/sync_batch_norm.h"

namespace steel::dist {
namespace {

struct Case {
  torch::ScalarType dtype;
  bool channels_last;
  bool with_weight;
  double rtol, atol;
};

void check_against_batch_norm(const Case& c) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const torch::Device cuda(torch::kCUDA, 0);
  // One rank: the collectives are no-ops, so this checks the kernels' arithmetic; the multi-rank sums are the
  // generic path's and are tested under mpirun.
  auto group = Group::create(LaunchInfo{}, cuda);
  const int64_t batch = 4, channels = 8;
  torch::manual_seed(11);
  // Parameters, statistics and the reference in float32 (float64 for float64 activations), as in training.
  const auto param_dtype = c.dtype == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32;
  const auto f32 = torch::TensorOptions(param_dtype).device(cuda);
  auto x0 = (torch::randn({batch, channels, 12, 20}, f32) * 2 + 1).to(c.dtype);
  if (c.channels_last) x0 = x0.contiguous(at::MemoryFormat::ChannelsLast);
  const auto dy = torch::randn(x0.sizes(), f32).to(c.dtype);
  const auto weight0 = torch::rand({channels}, f32) + 0.5;
  const auto bias0 = torch::randn({channels}, f32);
  const double momentum = 0.1, eps = 1e-3;

  // Reference: BatchNorm on the same device in the parameters' precision, from the same (rounded) input.
  auto x_ref = x0.to(param_dtype).detach().requires_grad_(true);
  auto w_ref = c.with_weight ? weight0.clone().requires_grad_(true) : torch::Tensor();
  auto b_ref = bias0.clone().requires_grad_(true);
  auto rm_ref = torch::zeros({channels}, f32), rv_ref = torch::ones({channels}, f32);
  const auto y_ref = torch::batch_norm(x_ref, w_ref, b_ref, rm_ref, rv_ref, /*training=*/true, momentum, eps,
                                       /*cudnn_enabled=*/false);
  (y_ref * dy.to(param_dtype)).sum().backward();

  auto x = x0.detach().requires_grad_(true);
  auto w = c.with_weight ? weight0.clone().requires_grad_(true) : torch::Tensor();
  auto b = bias0.clone().requires_grad_(true);
  auto rm = torch::zeros({channels}, f32), rv = torch::ones({channels}, f32);
  const auto y = sync_batch_norm(x, w, b, rm, rv, momentum, eps, *group);
  (y * dy).sum().backward();

  EXPECT_EQ(y.scalar_type(), c.dtype);
  // Parameter gradients keep the parameters' dtype whatever the activations'.
  EXPECT_EQ(b.grad().scalar_type(), param_dtype);
  if (c.channels_last) {
    EXPECT_TRUE(y.is_contiguous(at::MemoryFormat::ChannelsLast));
  }
  EXPECT_TRUE(torch::allclose(y.to(param_dtype), y_ref, c.rtol, c.atol));
  EXPECT_TRUE(torch::allclose(rm, rm_ref, 1e-5, 1e-6)) << rm << rm_ref;
  EXPECT_TRUE(torch::allclose(rv, rv_ref, 1e-5, 1e-6)) << rv << rv_ref;
  EXPECT_TRUE(torch::allclose(x.grad().to(param_dtype), x_ref.grad(), c.rtol, c.atol));
  EXPECT_TRUE(torch::allclose(b.grad(), b_ref.grad(), c.rtol, c.atol * 100));
  if (c.with_weight) {
    EXPECT_TRUE(torch::allclose(w.grad(), w_ref.grad(), c.rtol, c.atol * 100));
  }
}

TEST(SyncBatchNormCuda, Float32MatchesBatchNorm) { check_against_batch_norm({torch::kFloat32, false, true, 1e-4, 1e-5}); }
TEST(SyncBatchNormCuda, Float32ChannelsLastMatchesBatchNorm) {
  check_against_batch_norm({torch::kFloat32, true, true, 1e-4, 1e-5});
}
// The no-scale layer (EfficientNet's Keras BatchNormalization(scale=False)): a bias but no weight.
TEST(SyncBatchNormCuda, WithoutScaleMatchesBatchNorm) { check_against_batch_norm({torch::kFloat32, false, false, 1e-4, 1e-5}); }
TEST(SyncBatchNormCuda, WithoutScaleChannelsLastMatchesBatchNorm) {
  check_against_batch_norm({torch::kFloat32, true, false, 1e-4, 1e-5});
}
TEST(SyncBatchNormCuda, WithoutScaleBfloat16MatchesBatchNorm) {
  check_against_batch_norm({torch::kBFloat16, true, false, 2e-2, 2e-2});
}
// float64 takes the generic path on CUDA too.
TEST(SyncBatchNormCuda, Float64MatchesBatchNorm) { check_against_batch_norm({torch::kFloat64, false, true, 1e-10, 1e-12}); }
// bf16 activations (autocast) with float32 parameters and statistics: PyTorch's mixed-precision kernels.
TEST(SyncBatchNormCuda, Bfloat16ChannelsLastMatchesBatchNorm) {
  check_against_batch_norm({torch::kBFloat16, true, true, 2e-2, 2e-2});
}

}  // namespace
}  // namespace steel::dist
