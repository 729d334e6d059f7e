#include "steel/train/trainer.h"

#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "steel/data/shard_reader.h"

#include "steel/core/error.h"
#include "steel/core/run_lock.h"
#include "steel/models/keras_weights.h"
#include "steel/models/model_factory.h"
#include "steel/train/stop_signal.h"
#include "support/temp_dir.h"
#include "support/tiny_prep.h"

using namespace steel::train;
using steel::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// metrics.csv without the timing columns, which differ between any two runs.
std::string metrics_without_timing(const std::string& path) {
  std::istringstream in(read_text(path));
  std::string line;
  std::string out;
  while (std::getline(in, line)) {
    int commas = 0;
    std::size_t cut = line.size();
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == ',' && ++commas == 7) cut = i;  // keep epoch .. lr
    }
    out += line.substr(0, cut) + "\n";
  }
  return out;
}

std::vector<std::vector<double>> metric_rows(const std::string& path) {
  std::istringstream in(read_text(path));
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::stringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) row.push_back(std::stod(field));
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

class TrainerTest : public steel::testing::TinyPrepSuite {
 protected:
  void SetUp() override { clear_stop_request(); }

  // A small, fast configuration: ResNet-18, everything trainable, 32x160 records.
  TrainOptions options(const std::string& out) const {
    TrainOptions o;
    o.backbone = "resnet18";
    o.encoder_mode = "trainable";
    o.data_dir = prep();
    o.out_dir = out;
    o.fold = 0;
    o.batch_size = 4;
    o.epochs = 3;
    o.lr = 3e-3;
    o.bn_momentum = 0.1;
    o.threads = 1;
    o.loader_threads = 2;
    o.progress = false;
    o.log_level = "warn";
    return o;
  }
};

TEST_F(TrainerTest, TrainsAFoldAndWritesEveryOutput) {
  TempDir out;
  auto o = options(out.path().string());
  o.epochs = 6;
  o.patience = 6;
  ASSERT_EQ(run_training(o), steel::exit_code::kOk);
  const auto fold = out / "resnet18/fold_0";
  for (const char* f : {"metrics.csv", "best.h5", "checkpoint.pt", "result.csv", "run.json"}) {
    EXPECT_TRUE(fs::exists(fold + "/" + f)) << f;
  }
  EXPECT_TRUE(fs::exists(out / "resnet18/folds.csv"));
  const auto rows = metric_rows(fold + "/metrics.csv");
  ASSERT_EQ(rows.size(), 6u);
  SCOPED_TRACE(read_text(fold + "/metrics.csv"));
  // Columns: epoch, train_loss, train_dice, val_loss, val_dice, val_kaggle_dice, lr, seconds, images_per_second.
  EXPECT_LT(rows.back()[1], rows.front()[1] * 0.5) << "training loss did not fall";
  double best_val_dice = 0;
  for (const auto& r : rows) best_val_dice = std::max(best_val_dice, r[4]);
  EXPECT_GT(best_val_dice, 5 * rows.front()[4] + 0.05) << "validation Dice did not rise well above epoch 1";
  const auto json = read_text(fold + "/run.json");
  const auto prep_id = steel::data::ShardReader(prep() + "/fold_0.h5").info().prep_id;
  for (const std::string& key : std::vector<std::string>{"\"source_revision\"", "\"torch_version\"", "\"keras_trainable\"",
                                "\"finished\": true", "\"wall_seconds\"", "\"device\": \"cpu\"",
                                "\"device_requested\": \"auto\"", "\"threads_per_rank\": 1", "\"hdf5\": \"1.",
                                "\"opencv\": \"4.", "\"compiler\": \"", "\"cpu\": \"",
                                "\"prep_id\": \"" + prep_id + "\"", "\"resume\": false"}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << " missing from run.json";
  }
  // best.h5 loads into a fresh model of the same backbone.
  auto model = steel::models::make_unet("resnet18");
  EXPECT_NO_THROW(steel::models::load_keras_weights(model, fold + "/best.h5"));
  // folds.csv: header plus this fold; its best epoch is the one with the lowest val_loss.
  const auto folds = read_text(out / "resnet18/folds.csv");
  EXPECT_EQ(std::count(folds.begin(), folds.end(), '\n'), 2);
  std::size_t best = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i][3] < rows[best][3]) best = i;
  }
  const auto expected = "0," + std::to_string(best + 1) + ",";
  EXPECT_EQ(folds.substr(folds.find('\n') + 1, expected.size()), expected);
}

TEST_F(TrainerTest, ResumeAfterStopsAtSeveralPointsEndsWithIdenticalMetrics) {
  TempDir out;
  auto o = options(out / "straight");
  o.max_train_batches = 6;
  ASSERT_EQ(run_training(o), steel::exit_code::kOk);

  // The same run, stopped by real SIGTERM/SIGUSR1 signals: mid-epoch, at the last step of an epoch (the flag
  // is then seen in the next epoch) and in the last epoch.
  auto r = options(out / "interrupted");
  r.max_train_batches = 6;
  const std::vector<std::tuple<int64_t, int64_t, int>> stops{{0, 2, SIGTERM}, {1, 6, SIGUSR1}, {2, 3, SIGTERM}};
  std::size_t next = 0;
  TrainHooks hooks;
  hooks.after_step = [&](int, int64_t epoch, int64_t step) {
    if (next < stops.size() && std::get<0>(stops[next]) == epoch && std::get<1>(stops[next]) == step) {
      std::raise(std::get<2>(stops[next]));
      ++next;
    }
  };
  int sessions = 0;
  for (;;) {
    const int code = run_training(r, hooks);
    ++sessions;
    if (code == steel::exit_code::kOk) break;
    ASSERT_EQ(code, steel::exit_code::kPreempted);
    ASSERT_TRUE(fs::exists(out / "interrupted/resnet18/fold_0/checkpoint.pt"));
    clear_stop_request();
    r.resume = true;
    ASSERT_LT(sessions, 10);
  }
  EXPECT_EQ(sessions, 4);
  EXPECT_EQ(metrics_without_timing(out / "interrupted/resnet18/fold_0/metrics.csv"),
            metrics_without_timing(out / "straight/resnet18/fold_0/metrics.csv"));
}

TEST_F(TrainerTest, AFinishedFoldIsNotRetrainedAndAnExistingRunNeedsResume) {
  TempDir out;
  auto o = options(out.path().string());
  o.epochs = 1;
  o.max_train_batches = 2;
  ASSERT_EQ(run_training(o), steel::exit_code::kOk);
  const auto before = read_text(out / "resnet18/fold_0/metrics.csv");
  EXPECT_THROW(run_training(o), steel::ConfigError);
  o.resume = true;
  o.epochs = 5;  // would train 4 more epochs if the fold were not finished
  ASSERT_EQ(run_training(o), steel::exit_code::kOk);
  EXPECT_EQ(read_text(out / "resnet18/fold_0/metrics.csv"), before);
}

TEST_F(TrainerTest, AFoldBeingTrainedElsewhereIsRefused) {
  TempDir out;
  fs::create_directories(out / "resnet18/fold_0");
  auto elsewhere = steel::RunLock::try_acquire(out / "resnet18/fold_0/running.lock", "node9 pid 4242");
  ASSERT_NE(elsewhere, nullptr);
  auto o = options(out.path().string());
  o.epochs = 1;
  o.max_train_batches = 1;
  try {
    run_training(o);
    FAIL() << "a fold held by another trainer was trained";
  } catch (const steel::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("being trained by another steel_train right now (node9 pid 4242)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(out / "resnet18/fold_0/checkpoint.pt"));
  elsewhere.reset();
  EXPECT_EQ(run_training(o), steel::exit_code::kOk) << "released: the fold trains";
}

TEST_F(TrainerTest, ResumingUnderOtherSettingsIsRefused) {
  TempDir out;
  auto o = options(out.path().string());
  o.epochs = 1;
  o.max_train_batches = 2;
  ASSERT_EQ(run_training(o), steel::exit_code::kOk);
  fs::remove(out / "resnet18/fold_0/result.csv");  // as if stopped after epoch 1
  o.resume = true;
  o.epochs = 2;  // extending a run is fine ...
  o.seed = 43;   // ... another seed is another run
  o.batch_size = 2;
  try {
    run_training(o);
    FAIL() << "a resume with another seed and batch size was accepted";
  } catch (const steel::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("seed=43 (the checkpoint has 42)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("global_batch=2 (the checkpoint has 4)"), std::string::npos) << e.what();
  }
  o.seed = 42;
  o.batch_size = 4;
  EXPECT_EQ(run_training(o), steel::exit_code::kOk);
  EXPECT_EQ(metric_rows(out / "resnet18/fold_0/metrics.csv").size(), 2u);
}

TEST_F(TrainerTest, ANonFiniteLossStopsWithAClearErrorAndKeepsTheCheckpoint) {
  TempDir out;
  auto o = options(out.path().string());
  o.epochs = 1;
  o.max_train_batches = 2;
  ASSERT_EQ(run_training(o), steel::exit_code::kOk);
  const auto checkpoint = read_text(out / "resnet18/fold_0/checkpoint.pt");
  // Continue the same fold with an absurd learning rate: the weights blow up within a few steps. This also
  // checks that the resumed run uses the command line's --lr: LibTorch 2.x's Optimizer::load restores the saved
  // one, and before the trainer re-applied its options this run trained on quietly at 3e-3.
  fs::remove(out / "resnet18/fold_0/result.csv");
  o.resume = true;
  o.epochs = 3;
  o.lr = 1e30;  // the optimizer's settings may change on resume; what decides the batches may not
  try {
    run_training(o);
    FAIL() << "training with lr 1e30 did not fail";
  } catch (const steel::TrainingError& e) {
    EXPECT_NE(std::string(e.what()).find("not finite"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_text(out / "resnet18/fold_0/checkpoint.pt"), checkpoint);
}

TEST_F(TrainerTest, Bf16AutocastAndChannelsLastTrainOnCpu) {
  TempDir out;
  auto o = options(out.path().string());
  o.epochs = 2;
  o.max_train_batches = 3;
  o.amp = "bf16";
  o.channels_last = true;
  ASSERT_EQ(run_training(o), steel::exit_code::kOk);
  const auto rows = metric_rows(out / "resnet18/fold_0/metrics.csv");
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    for (int c : {1, 2, 3, 4}) EXPECT_TRUE(std::isfinite(r[static_cast<std::size_t>(c)])) << "column " << c;
  }
  EXPECT_LT(rows[1][1], rows[0][1]);  // the training loss falls
  // fp16 autocast exists for CUDA only: on CPU it is a configuration error, not a silent fallback.
  o.amp = "fp16";
  o.device = "cpu";
  o.out_dir = out / "fp16";
  EXPECT_THROW(run_training(o), steel::ConfigError);
}

TEST_F(TrainerTest, PretrainedEncoderOrFullModelWeightsLoad) {
  TempDir out;
  torch::manual_seed(7);
  auto source = steel::models::make_unet("resnet18");
  // An encoder-only file (like the Keras libraries' "no top" ImageNet files) and a full U-Net file.
  steel::models::save_keras_weights(source->encoder(), out / "encoder.h5");
  steel::models::save_keras_weights(source, out / "full.h5");
  for (const char* file : {"encoder.h5", "full.h5"}) {
    auto o = options(out / (std::string("runs_") + file));
    o.pretrained = out / file;
    o.epochs = 1;
    o.max_train_batches = 1;
    o.max_val_batches = 1;
    EXPECT_EQ(run_training(o), steel::exit_code::kOk) << file;
  }
}

// DDP's batch semantics: --batch-per-rank 4 on one rank is a global batch of 4, whatever --batch-size says.
TEST_F(TrainerTest, BatchPerRankOnOneRankIsTheGlobalBatch) {
  TempDir out;
  auto global = options(out / "global");
  global.epochs = 1;
  global.max_train_batches = 2;
  auto per_rank = global;
  per_rank.out_dir = out / "per_rank";
  per_rank.batch_size = 16;
  per_rank.batch_per_rank = 4;
  ASSERT_EQ(run_training(global), steel::exit_code::kOk);
  ASSERT_EQ(run_training(per_rank), steel::exit_code::kOk);
  EXPECT_EQ(metrics_without_timing(out / "per_rank/resnet18/fold_0/metrics.csv"),
            metrics_without_timing(out / "global/resnet18/fold_0/metrics.csv"));
  const auto json = read_text(out / "per_rank/resnet18/fold_0/run.json");
  EXPECT_NE(json.find("\"batch_size\": 4,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"batch_per_rank\": 4,"), std::string::npos) << json;
}

TEST_F(TrainerTest, BadInputsFailBeforeTraining) {
  TempDir out;
  // Weights of another backbone.
  auto other = steel::models::make_unet("efficientnet-b0");
  steel::models::save_keras_weights(other, out / "b0.h5");
  auto o = options(out / "runs");
  o.pretrained = out / "b0.h5";
  EXPECT_THROW(run_training(o), steel::DataError);
  // A superset of the backbone's layers (ResNet-34 has every ResNet-18 layer and more) is rejected too.
  auto bigger = steel::models::make_unet("resnet34");
  steel::models::save_keras_weights(bigger, out / "resnet34.h5");
  o.pretrained = out / "resnet34.h5";
  o.out_dir = out / "runs_r34";
  EXPECT_THROW(run_training(o), steel::DataError);
  // A corrupt shard.
  TempDir bad;
  for (const auto& entry : fs::directory_iterator(prep())) fs::copy(entry.path(), bad.path() / entry.path().filename());
  steel::testing::write_file(bad / "fold_1.h5", "not HDF5");
  auto b = options(out / "runs2");
  b.data_dir = bad.path().string();
  try {
    run_training(b);
    FAIL();
  } catch (const steel::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("fold_1.h5"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(out / "runs2/resnet18/fold_0/checkpoint.pt"));
  // A global batch that does not fit the data.
  auto c = options(out / "runs3");
  c.batch_size = 100000;
  EXPECT_THROW(run_training(c), steel::DataError);
}

// --cuda-graphs: after 11 eager steps the step is captured and replayed; the losses are the eager run's (to
// cuDNN's and Adam's rounding). Needs a GPU; skipped elsewhere.
TEST_F(TrainerTest, CudaGraphsGiveTheEagerLosses) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no GPU: CUDA graphs are checked on GPU machines only";
  auto trained = [&](bool graphs) {
    TempDir out;
    auto o = options(out.path().string());
    o.device = "cuda";
    o.tf32 = false;
    o.epochs = 2;
    o.cuda_graphs = graphs;
    EXPECT_EQ(run_training(o), steel::exit_code::kOk);
    return metric_rows(out / "resnet18/fold_0/metrics.csv");
  };
  const auto eager = trained(false);
  const auto graphed = trained(true);
  ASSERT_EQ(eager.size(), 2u);
  ASSERT_EQ(graphed.size(), 2u);
  for (size_t e = 0; e < eager.size(); ++e) {
    for (const int column : {1, 3}) {  // train_loss, val_loss
      EXPECT_NEAR(graphed[e][column], eager[e][column], 1e-4 * std::abs(eager[e][column]) + 1e-6)
          << "epoch " << e + 1 << " column " << column;
    }
  }
}
