// N ranks with SyncBatchNorm and GradientSync take the same steps as one process with the whole batch.
#include <map>

#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include "steel/core/error.h"
#include "steel/dist/gradient_sync.h"
#include "steel/dist/replicate.h"
#include "steel/dist/sync_batch_norm.h"
#include "steel/models/batch_norm.h"
#include "steel/models/batch_norm_no_scale.h"
#include "mpi/dist_test_group.h"

namespace steel::dist {
namespace {

// conv -> steel BatchNorm2d -> relu -> conv -> BatchNormNoScale2d: both hookable norm layers.
struct TinyNetImpl : torch::nn::Module {
  TinyNetImpl() {
    conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3).padding(1).bias(false)));
    bn1 = register_module("bn1", models::BatchNorm2d(4));
    conv2 = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(4, 2, 1)));
    bn2 = register_module("bn2", models::BatchNormNoScale2d(models::BatchNormNoScale2dOptions(2)));
  }
  torch::Tensor forward(const torch::Tensor& x) { return bn2(conv2(torch::relu(bn1(conv1(x))))); }
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  models::BatchNorm2d bn1{nullptr};
  models::BatchNormNoScale2d bn2{nullptr};
};
TORCH_MODULE(TinyNet);

TinyNet make_net(uint64_t seed) {
  torch::manual_seed(seed);
  TinyNet net;
  net->to(torch::kFloat64);
  return net;
}

void expect_same_state(TinyNet& a, TinyNet& b) {
  const auto pa = a->named_parameters(), pb = b->named_parameters();
  for (const auto& item : pa) {
    EXPECT_TRUE(torch::allclose(item.value(), pb[item.key()], 1e-9, 1e-11)) << item.key();
  }
  const auto ba = a->named_buffers(), bb = b->named_buffers();
  for (const auto& item : ba) {
    EXPECT_TRUE(torch::allclose(item.value().to(torch::kFloat64), bb[item.key()].to(torch::kFloat64), 1e-9, 1e-11))
        << item.key();
  }
}

TEST(GradientSync, RanksWithSyncBatchNormMatchOneProcessOverTheGlobalBatch) {
  auto group = test::test_group();
  const int n = group->size();
  const int64_t global_batch = 8, local_batch = global_batch / n;
  ASSERT_EQ(global_batch % n, 0);
  torch::manual_seed(11);
  std::vector<torch::Tensor> xs, targets;
  for (int step = 0; step < 3; ++step) {
    xs.push_back(torch::randn({global_batch, 3, 6, 5}, torch::kFloat64));
    targets.push_back(torch::randn({global_batch, 2, 6, 5}, torch::kFloat64));
  }

  // Reference on every rank: one process, plain BatchNorm, the whole batch.
  TinyNet reference = make_net(/*seed=*/3);
  torch::optim::SGD reference_opt(reference->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  for (int step = 0; step < 3; ++step) {
    reference_opt.zero_grad();
    torch::mse_loss(reference->forward(xs[step]), targets[step]).backward();
    reference_opt.step();
  }

  // Distributed: different initial weights per rank, fixed by the broadcast from rank 0.
  TinyNet net = make_net(/*seed=*/3 + 100 * group->rank());
  broadcast_module_state(*net, *group);
  verify_replicas(*net, *group);
  const int hooked = enable_sync_batch_norm(*net, group);
  EXPECT_EQ(hooked, n == 1 ? 0 : 2);
  GradientSync sync(group, net->parameters());
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  std::vector<int64_t> calls;
  std::map<std::string, CollectiveTime> before_last_step;
  for (int step = 0; step < 3; ++step) {
    if (step == 2) before_last_step = group->collective_times();
    const int64_t before = group->collective_calls();
    opt.zero_grad();
    sync.prepare_forward();
    const auto x = xs[step].narrow(0, group->rank() * local_batch, local_batch);
    const auto target = targets[step].narrow(0, group->rank() * local_batch, local_batch);
    sync.backward(torch::mse_loss(net->forward(x), target));  // mean over the local batch
    opt.step();
    calls.push_back(group->collective_calls() - before);
  }
  expect_same_state(net, reference);
  EXPECT_EQ(net->bn1->num_batches_tracked.item<int64_t>(), 3);
  verify_replicas(*net, *group);

  // Per step: forward and backward all-reduce for each hooked norm layer, plus one per gradient bucket.
  const int64_t per_step = 2 * hooked + sync.num_buckets();
  EXPECT_EQ(calls[2], per_step);
  if (n > 1) {
    // The same calls, attributed: SyncBatchNorm's all-reduces and the buckets (timed to completion on the
    // backend's threads, so every bucket of the step has reported once backward has returned).
    const auto after = group->collective_times();
    EXPECT_EQ(after.at("sync_batch_norm").calls - before_last_step.at("sync_batch_norm").calls, 2 * hooked);
    EXPECT_EQ(after.at("gradient_buckets").calls - before_last_step.at("gradient_buckets").calls, sync.num_buckets());
    // The second step's forward re-buckets once; the broadcasts that takes inside c10d are counted as c10d
    // reports them (its sequence number), and appear in both the total and the attribution.
    ASSERT_EQ(after.count("bucket_rebuild"), 1u);
    const int64_t rebuild = after.at("bucket_rebuild").calls;
    EXPECT_GE(rebuild, 1);
    EXPECT_EQ(calls[1], per_step + rebuild);
    EXPECT_EQ(calls[0], per_step);
  }
  if (group->is_main()) {
    std::cout << "[ collective calls per step: " << calls[0] << ", " << calls[1] << ", " << calls[2] << " ("
              << sync.num_buckets() << " bucket(s), " << hooked << " SyncBatchNorm layers) ]\n";
  }
}

TEST(Replicate, BroadcastMakesReplicasEqualAndVerifyNamesTheOddRank) {
  auto group = test::test_group();
  TinyNet net = make_net(/*seed=*/50 + group->rank());
  broadcast_module_state(*net, *group);
  EXPECT_NO_THROW(verify_replicas(*net, *group));
  if (group->size() == 1) GTEST_SKIP() << "needs two ranks to disagree";
  const int odd = group->size() - 1;
  if (group->rank() == odd) {
    torch::NoGradGuard no_grad;
    net->conv1->weight[0][0][0][0] += 1e-6;
  }
  EXPECT_THAT([&] { verify_replicas(*net, *group); },
              testing::ThrowsMessage<DistError>(testing::HasSubstr("on rank " + std::to_string(odd))));
  // Swapping two values keeps the plain sum but not the weighted one.
  TinyNet swapped = make_net(/*seed=*/60);
  broadcast_module_state(*swapped, *group);
  if (group->rank() == odd) {
    torch::NoGradGuard no_grad;
    auto w = swapped->conv1->weight.view({-1});
    const auto first = w[0].clone();
    w[0] = w[1].clone();
    w[1] = first;
  }
  EXPECT_THROW(verify_replicas(*swapped, *group), DistError);
}

}  // namespace
}  // namespace steel::dist
