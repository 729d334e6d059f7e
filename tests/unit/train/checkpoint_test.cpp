#include "steel/train/checkpoint.h"

#include <filesystem>
#include <atomic>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "steel/core/atomic_file.h"
#include "steel/core/error.h"
#include "steel/train/metrics.h"
#include "support/file_size_limit.h"
#include "support/temp_dir.h"

using namespace steel::train;
using steel::testing::TempDir;

namespace {

struct Net : torch::nn::Module {
  Net() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3)));
    bn = register_module("bn", torch::nn::BatchNorm2d(4));
  }
  torch::Tensor forward(const torch::Tensor& x) { return bn(conv(x)); }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
};

// Runs a couple of Adam steps so the optimizer has state and BN has running statistics.
void train_a_bit(Net& net, torch::optim::Adam& adam, int steps) {
  for (int i = 0; i < steps; ++i) {
    adam.zero_grad();
    net.forward(torch::randn({2, 3, 6, 6})).pow(2).mean().backward();
    adam.step();
  }
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST(Checkpoint, RoundTripRestoresModelOptimizerStateAndRng) {
  TempDir dir;
  torch::manual_seed(1);
  Net a;
  torch::optim::Adam adam_a(a.parameters(), torch::optim::AdamOptions(1e-2));
  train_a_bit(a, adam_a, 3);
  LoopState state;
  state.epoch = 4;
  state.step = 7;
  state.global_step = 99;
  state.train_seconds = 1.5;
  state.train_sums = torch::arange(MetricSums::kCount, torch::kFloat64);
  state.early_stopping.update(1, 0.5);
  state.early_stopping.update(2, 0.7);
  state.history.push_back({1, 0.1, 0.2, 0.3, 0.4, 0.5, 1e-3, 10, 20});
  state.history.push_back({2, 0.11, 0.21, 0.31, 0.41, 0.51, 1e-3, 11, 21});
  state.loss_scale = 2048.0;
  state.loss_scale_good_steps = 17;
  save_checkpoint(dir / "ckpt.pt", a, adam_a, state);
  const auto after_save = torch::rand({4});  // the generator moves on after the save

  torch::manual_seed(2);
  Net b;
  torch::optim::Adam adam_b(b.parameters(), torch::optim::AdamOptions(1e-2));
  LoopState loaded;
  load_checkpoint(dir / "ckpt.pt", b, adam_b, loaded);
  EXPECT_TRUE(torch::equal(torch::rand({4}), after_save));  // generator state restored
  for (std::size_t i = 0; i < a.parameters().size(); ++i) EXPECT_TRUE(torch::equal(a.parameters()[i], b.parameters()[i]));
  EXPECT_TRUE(torch::equal(a.bn->running_mean, b.bn->running_mean));
  EXPECT_EQ(loaded.epoch, 4);
  EXPECT_EQ(loaded.step, 7);
  EXPECT_EQ(loaded.global_step, 99);
  EXPECT_DOUBLE_EQ(loaded.train_seconds, 1.5);
  EXPECT_TRUE(torch::equal(loaded.train_sums, state.train_sums));
  EXPECT_DOUBLE_EQ(loaded.early_stopping.best, 0.5);
  EXPECT_EQ(loaded.early_stopping.best_epoch, 1);
  EXPECT_EQ(loaded.early_stopping.wait, 1);
  ASSERT_EQ(loaded.history.size(), 2u);
  EXPECT_EQ(steel::run::metrics_csv(loaded.history), steel::run::metrics_csv(state.history));
  EXPECT_DOUBLE_EQ(loaded.loss_scale, 2048.0);
  EXPECT_EQ(loaded.loss_scale_good_steps, 17);

  // Same data, same optimizer state: the next step is identical.
  torch::manual_seed(5);
  auto x = torch::randn({2, 3, 6, 6});
  adam_a.zero_grad();
  a.forward(x).pow(2).mean().backward();
  adam_a.step();
  adam_b.zero_grad();
  b.forward(x).pow(2).mean().backward();
  adam_b.step();
  for (std::size_t i = 0; i < a.parameters().size(); ++i) EXPECT_TRUE(torch::equal(a.parameters()[i], b.parameters()[i]));
}

TEST(Checkpoint, AFullDiskLeavesThePreviousCheckpointIntact) {
  TempDir dir;
  Net net;
  torch::optim::Adam adam(net.parameters());
  LoopState state;
  state.train_sums = MetricSums::zeros();
  save_checkpoint(dir / "ckpt.pt", net, adam, state);
  const auto before = read_bytes(dir / "ckpt.pt");
  train_a_bit(net, adam, 1);  // Adam state makes the next file bigger than the first

  {
    steel::testing::FileSizeLimit full_disk(before.size() / 2);
    EXPECT_THROW(save_checkpoint(dir / "ckpt.pt", net, adam, state), steel::DataError);
  }

  EXPECT_EQ(read_bytes(dir / "ckpt.pt"), before);
  EXPECT_EQ(steel::testing::list_dir(dir.path()), std::vector<std::string>{"ckpt.pt"}) << "a temporary file was left";
}

TEST(Checkpoint, ACorruptFileIsADataErrorNamingIt) {
  TempDir dir;
  steel::testing::write_file(dir / "bad.pt", "not a checkpoint");
  Net net;
  torch::optim::Adam adam(net.parameters());
  LoopState state;
  try {
    load_checkpoint(dir / "bad.pt", net, adam, state);
    FAIL();
  } catch (const steel::DataError& e) {
    EXPECT_NE(std::string(e.what()).find(dir / "bad.pt"), std::string::npos) << e.what();
  }
}

TEST(AtomicFile, WritesAndReplaces) {
  TempDir dir;
  steel::write_file_atomically(dir / "a.txt", "one");
  steel::write_file_atomically(dir / "a.txt", "two");
  EXPECT_EQ(read_bytes(dir / "a.txt"), "two");
  EXPECT_THROW(steel::write_file_atomically(dir / "missing/a.txt", "x"), steel::DataError);
}

TEST(AtomicFile, ConcurrentWritersOfOneFileDoNotCollide) {
  TempDir dir;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        try {
          steel::write_file_atomically(dir / "folds.csv", "writer " + std::to_string(t) + "\n");
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(read_bytes(dir / "folds.csv").rfind("writer ", 0), 0u);
  EXPECT_EQ(steel::testing::list_dir(dir.path()), std::vector<std::string>{"folds.csv"});
}
