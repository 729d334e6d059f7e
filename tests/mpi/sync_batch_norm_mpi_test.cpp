// SyncBatchNorm on each rank's slice equals plain BatchNorm over the concatenated batch, forward and backward.
#include <gtest/gtest.h>

#include "steel/dist/sync_batch_norm.h"
#include "mpi/dist_test_group.h"

namespace steel::dist {
namespace {

// Rows of the global batch owned by `rank`: rank r gets r + 1 rows, so local batches differ in size.
std::pair<int64_t, int64_t> slice_of(int rank) { return {rank * (rank + 1) / 2, rank + 1}; }

void check_against_batch_norm(torch::ScalarType dtype, bool with_weight, double rtol, double atol) {
  auto group = test::test_group();
  const int n = group->size();
  const int64_t global_batch = n * (n + 1) / 2, channels = 3;
  torch::manual_seed(7);  // the same global data on every rank
  const auto opts = torch::TensorOptions(dtype);
  const auto x_global = torch::randn({global_batch, channels, 5, 6}, opts) * 2 + 1;
  const auto dy_global = torch::randn({global_batch, channels, 5, 6}, opts);
  const auto weight0 = torch::rand({channels}, opts) + 0.5;
  const auto bias0 = torch::randn({channels}, opts);
  const double momentum = 0.1, eps = 1e-5;

  // Reference: one process, the whole batch.
  auto x_ref = x_global.clone().requires_grad_(true);
  auto w_ref = with_weight ? weight0.clone().requires_grad_(true) : torch::Tensor();
  auto b_ref = bias0.clone().requires_grad_(true);
  auto rm_ref = torch::zeros({channels}, opts), rv_ref = torch::ones({channels}, opts);
  const auto y_ref = torch::batch_norm(x_ref, w_ref, b_ref, rm_ref, rv_ref, /*training=*/true, momentum, eps,
                                       /*cudnn_enabled=*/false);
  (y_ref * dy_global).sum().backward();

  const auto [start, rows] = slice_of(group->rank());
  auto x = x_global.narrow(0, start, rows).clone().requires_grad_(true);
  auto w = with_weight ? weight0.clone().requires_grad_(true) : torch::Tensor();
  auto b = bias0.clone().requires_grad_(true);
  auto rm = torch::zeros({channels}, opts), rv = torch::ones({channels}, opts);
  const int64_t before = group->collective_calls();
  const auto y = sync_batch_norm(x, w, b, rm, rv, momentum, eps, *group);
  (y * dy_global.narrow(0, start, rows)).sum().backward();
  // One all-reduce forward, one backward.
  EXPECT_EQ(group->collective_calls() - before, n == 1 ? 0 : 2);

  EXPECT_TRUE(torch::allclose(y, y_ref.narrow(0, start, rows), rtol, atol));
  EXPECT_TRUE(torch::allclose(rm, rm_ref, rtol, atol)) << rm << rm_ref;
  EXPECT_TRUE(torch::allclose(rv, rv_ref, rtol, atol)) << rv << rv_ref;
  EXPECT_TRUE(torch::allclose(x.grad(), x_ref.grad().narrow(0, start, rows), rtol, atol));
  // Parameter gradients are per rank; their sum over ranks is the whole batch's.
  std::vector<torch::Tensor> param_grads{b.grad().clone()};
  if (with_weight) param_grads.push_back(w.grad().clone());
  group->all_reduce_sum(param_grads);
  EXPECT_TRUE(torch::allclose(param_grads[0], b_ref.grad(), rtol, atol));
  if (with_weight) {
    EXPECT_TRUE(torch::allclose(param_grads[1], w_ref.grad(), rtol, atol));
  }
}

TEST(SyncBatchNorm, MatchesBatchNormOverTheConcatenatedBatchFloat64) {
  check_against_batch_norm(torch::kFloat64, /*with_weight=*/true, 1e-10, 1e-12);
}

TEST(SyncBatchNorm, MatchesBatchNormOverTheConcatenatedBatchFloat32) {
  check_against_batch_norm(torch::kFloat32, /*with_weight=*/true, 1e-4, 1e-5);
}

TEST(SyncBatchNorm, MatchesBatchNormWithoutScale) {
  check_against_batch_norm(torch::kFloat64, /*with_weight=*/false, 1e-10, 1e-12);
}

// Under autocast the activations are bf16 but the parameters float32: their gradients must not be rounded to bf16
// on the way (a per-channel sum of 2 x 5 x 6 dy values keeps ~7 significant digits, bf16 only ~3).
TEST(SyncBatchNorm, ParameterGradientsAreNotRoundedToTheActivationsDtype) {
  auto group = test::test_group();
  const int64_t channels = 3;
  torch::manual_seed(5 + group->rank());
  const auto x = (torch::randn({2, channels, 5, 6}) * 2 + 1).to(torch::kBFloat16).requires_grad_(true);
  const auto dy = torch::randn({2, channels, 5, 6}).to(torch::kBFloat16);
  auto w = (torch::rand({channels}) + 0.5).requires_grad_(true);
  auto b = torch::randn({channels}).requires_grad_(true);
  auto rm = torch::zeros({channels}), rv = torch::ones({channels});
  const auto y = sync_batch_norm(x, w, b, rm, rv, 0.1, 1e-5, *group);
  (y * dy).sum().backward();
  ASSERT_EQ(b.grad().scalar_type(), torch::kFloat32);
  const auto expected = dy.to(torch::kFloat64).sum({0, 2, 3});
  EXPECT_TRUE(torch::allclose(b.grad().to(torch::kFloat64), expected, 1e-6, 1e-6)) << b.grad() << expected;
}

}  // namespace
}  // namespace steel::dist
