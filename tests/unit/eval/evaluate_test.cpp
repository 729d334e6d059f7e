#include "steel/eval/evaluate.h"
#include "steel/eval/predict.h"
#include "steel/report/report.h"
#include "steel/data/rle.h"
#include "steel/data/defect_mask.h"
#include "steel/eval/fold_models.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "steel/cli/eval_cli.h"
#include "steel/cli/guarded_main.h"
#include "steel/cli/predict_cli.h"
#include "steel/cli/report_cli.h"
#include "steel/core/error.h"
#include "steel/data/shard_reader.h"
#include "steel/eval/overlay.h"
#include "steel/eval/single_process.h"
#include "steel/train/stop_signal.h"
#include "steel/train/trainer.h"
#include "support/temp_dir.h"
#include "support/tiny_prep.h"

using namespace steel::eval;
using steel::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> row;
    std::stringstream fields(line);
    std::string f;
    while (std::getline(fields, f, ',')) row.push_back(f);
    rows.push_back(row);
  }
  return rows;
}

// Sets (a value) or unsets (nullptr) environment variables for one scope and restores what was there before.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      if (value) {
        setenv(name, value, 1);
      } else {
        unsetenv(name);
      }
    }
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        unsetenv(it->first.c_str());
      }
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// The torchrun-style variables detect_launch() reads, with everything that would take precedence over them
// (MPI, Slurm) or make them invalid cleared: rank and world_size as given, nullptr for unset.
ScopedEnv launched_as(const char* rank, const char* world_size) {
  return ScopedEnv{{"OMPI_COMM_WORLD_SIZE", nullptr},
                   {"PMIX_RANK", nullptr},
                   {"PMI_RANK", nullptr},
                   {"SLURM_PROCID", nullptr},
                   {"SLURM_NTASKS", nullptr},
                   {"LOCAL_RANK", nullptr},
                   {"MASTER_ADDR", nullptr},
                   {"MASTER_PORT", nullptr},
                   {"RANK", rank},
                   {"WORLD_SIZE", world_size}};
}

// argv for the tools' parsers: pointers into `args` (the tool's name first), which must outlive them.
std::vector<const char*> argv_of(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return argv;
}

}  // namespace

TEST(SingleProcess, OneOfSeveralRanksIsRefusedWithAConfigError) {
  for (const char* rank : {"0", "1"}) {  // rank 0 too: it would be one of two full copies
    const auto env = launched_as(rank, "2");
    try {
      require_single_process("steel_eval");
      FAIL() << "rank " << rank << " of 2 was not refused";
    } catch (const steel::ConfigError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("steel_eval"), std::string::npos) << what;
      EXPECT_NE(what.find("rank " + std::string(rank) + " of 2"), std::string::npos) << what;
      EXPECT_NE(what.find("one process"), std::string::npos) << what;
      EXPECT_NE(what.find("mpirun -np 1"), std::string::npos) << what;
    }
  }
}

TEST(SingleProcess, ASingleProcessRuns) {
  {
    const auto env = launched_as(nullptr, nullptr);
    EXPECT_NO_THROW(require_single_process("steel_eval"));
  }
  const auto env = launched_as("0", "1");
  EXPECT_NO_THROW(require_single_process("steel_eval"));
}

TEST(SingleProcess, EvalPredictAndReportExitWithCode2AsSeveralRanks) {
  const auto env = launched_as("1", "2");
  const std::vector<std::string> eval_args{"steel_eval", "--run", "runs/resnet34", "--data", "prep"};
  const std::vector<std::string> predict_args{"steel_predict", "--model", "runs/resnet34", "--images", "images"};
  const std::vector<std::string> report_args{"steel_report"};
  const auto e = argv_of(eval_args);
  const auto p = argv_of(predict_args);
  const auto r = argv_of(report_args);
  EXPECT_EQ(steel::cli::guarded_main("steel_eval", [&] {
              steel::cli::parse_eval_cli(static_cast<int>(e.size()), e.data());
              return 0;
            }),
            steel::exit_code::kConfig);
  EXPECT_EQ(steel::cli::guarded_main("steel_predict", [&] {
              steel::cli::parse_predict_cli(static_cast<int>(p.size()), p.data());
              return 0;
            }),
            steel::exit_code::kConfig);
  EXPECT_EQ(steel::cli::guarded_main("steel_report", [&] {
              steel::cli::parse_report_cli(static_cast<int>(r.size()), r.data());
              return 0;
            }),
            steel::exit_code::kConfig);
  // --help still answers under any launcher.
  const std::vector<std::string> help_args{"steel_eval", "--help"};
  const auto h = argv_of(help_args);
  EXPECT_FALSE(steel::cli::parse_eval_cli(static_cast<int>(h.size()), h.data()).has_value());
}

TEST(Overlay, WithoutGroundTruthThePictureIsThePredictionPanelAlone) {
  // A 64x320 image (drawn at 2x) with a class-1 square predicted.
  const cv::Mat image(64, 320, CV_8UC1, cv::Scalar(90));
  cv::Mat predicted = cv::Mat::zeros(64, 320, CV_8UC1);
  predicted(cv::Rect(100, 20, 30, 20)).setTo(1);
  const cv::Mat truth = cv::Mat::zeros(64, 320, CV_8UC1);
  const cv::Mat both = draw_overlay(image, truth, predicted, "x");
  const cv::Mat alone = draw_prediction_overlay(image, predicted, "x");
  ASSERT_EQ(both.rows, 2 * 2 * 64);
  ASSERT_EQ(alone.rows, 2 * 64);
  ASSERT_EQ(alone.cols, 2 * 320);
  // The same panel as draw_overlay's lower one, contours and label included.
  EXPECT_EQ(cv::norm(alone, both.rowRange(2 * 64, 2 * 2 * 64), cv::NORM_INF), 0.0);
  cv::Mat red;
  cv::inRange(alone, cv::Scalar(0, 0, 255), cv::Scalar(0, 0, 255), red);
  EXPECT_GT(cv::countNonZero(red), 0) << "the class-1 contour is missing";
}

// Two folds trained for a few steps, then evaluated: the contract steel_report reads.
class EvaluateTest : public steel::testing::TinyPrepSuite {
 public:
  static void SetUpTestSuite() {
    steel::testing::TinyPrepOptions p;
    p.test_per_class = 1;
    p.test_multi = 1;
    make_shared_prep(p);
    steel::train::clear_stop_request();
    steel::train::TrainOptions o;
    o.backbone = "resnet18";
    o.encoder_mode = "trainable";
    o.data_dir = prep();
    o.out_dir = suite_dir() / "runs";
    o.batch_size = 4;
    o.epochs = 1;
    o.max_train_batches = 4;
    o.bn_momentum = 0.1;
    o.threads = 1;
    o.progress = false;
    o.log_level = "warn";
    for (int fold : {0, 2}) {
      o.fold = fold;
      steel::train::run_training(o);
    }
  }
};

TEST_F(EvaluateTest, ScoresEveryFinishedFoldAndTheEnsemble) {
  EvalOptions o;
  o.run_dir = suite_dir() / "runs/resnet18";
  o.data_dir = prep();
  o.min_pixels = 10;
  o.overlays = 4;
  const auto scores = run_eval(o);
  ASSERT_EQ(scores.size(), 3u);
  EXPECT_EQ(scores[0].model, "fold_0");
  EXPECT_EQ(scores[1].model, "fold_2");
  EXPECT_EQ(scores[2].model, "ensemble");
  const auto test_records = steel::data::ShardReader(prep() + "/test.h5").size();
  for (const auto& s : scores) {
    EXPECT_EQ(s.records, test_records) << s.model;
    for (const auto& m : s.counts.confusion) EXPECT_EQ(m[0] + m[1] + m[2] + m[3], test_records);
  }
  // Two models trained on different folds from different initialisations: their scores are their own (a
  // shared accumulator once made every row equal).
  EXPECT_NE(scores[0].metrics.loss, scores[1].metrics.loss);
  EXPECT_NE(scores[0].metrics.loss, scores[2].metrics.loss);
  // BCE is convex in the probability, so the mean of the fold models' probabilities cannot lose more than the
  // mean of their losses (Jensen); a strict check that the ensemble really averages probabilities.
  EXPECT_LE(scores[2].metrics.loss, 0.5 * (scores[0].metrics.loss + scores[1].metrics.loss) + 1e-9);

  const auto rows = read_csv(o.run_dir + "/test_metrics.csv");
  ASSERT_EQ(rows.size(), 4u);
  ASSERT_EQ(rows[0].size(), 27u);
  EXPECT_EQ(rows[0][0], "model");
  EXPECT_EQ(rows[0][26], "accuracy_4");
  EXPECT_EQ(rows[3][0], "ensemble");
  EXPECT_EQ(std::stoll(rows[1][1]), test_records);

  // Overlays: 4 test pictures (ensemble) and one per validation fold, two stacked 2x-scaled panels each.
  int test_png = 0;
  int val_png = 0;
  for (const auto& entry : fs::directory_iterator(o.run_dir + "/overlays")) {
    const auto name = entry.path().filename().string();
    (name.rfind("test_", 0) == 0 ? test_png : val_png) += 1;
    const auto picture = cv::imread(entry.path().string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(picture.empty()) << name;
    // Two panels, each the 32x160 record scaled by 800 / 160 = 5 so that small records stay legible.
    EXPECT_EQ(picture.rows, 2 * 5 * 32) << name;
    EXPECT_EQ(picture.cols, 5 * 160) << name;
  }
  EXPECT_EQ(test_png, 4);
  EXPECT_EQ(val_png, 2);
}

TEST_F(EvaluateTest, MissingPiecesAreClearErrors) {
  TempDir empty;
  EvalOptions o;
  o.run_dir = empty.path().string();
  o.data_dir = prep();
  try {
    run_eval(o);
    FAIL();
  } catch (const steel::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("no finished fold"), std::string::npos) << e.what();
  }
  o.run_dir = suite_dir() / "runs/resnet18";
  o.data_dir = empty.path().string();
  try {
    run_eval(o);
    FAIL();
  } catch (const steel::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("test.h5"), std::string::npos) << e.what();
  }
}

TEST_F(EvaluateTest, PredictWritesTheEnsembleMasksAtFullResolution) {
  TempDir work;
  fs::create_directories(work / "images");
  std::vector<std::string> ids;
  for (const auto& e : fs::directory_iterator(suite_dir() / "kaggle/train_images")) {
    if (ids.size() == 5) break;
    fs::copy(e.path(), work / ("images/" + e.path().filename().string()));
    ids.push_back(e.path().filename().string());
  }
  std::sort(ids.begin(), ids.end());
  PredictOptions o;
  o.run_dir = suite_dir() / "runs/resnet18";
  o.images_dir = work / "images";
  o.out_csv = work / "submission.csv";
  o.overlays_dir = work / "overlays";
  o.threshold = 0.3;  // a briefly trained model: a low threshold so that some masks are not empty
  o.min_pixels = 0;
  EXPECT_EQ(run_predict(o), 5);
  const auto rows = read_csv(o.out_csv);
  ASSERT_EQ(rows.size(), 1u + 5 * 4);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"ImageId", "EncodedPixels", "ClassId"}));

  // The oracle: the ensemble's probabilities at the training resolution (32x160), thresholded. The submission's
  // full-size (256x1600) masks, area-averaged back down to 32x160, must agree with it almost everywhere; a
  // mask written at the model's resolution, transposed, or of another class would not.
  auto models = load_fold_models(o.run_dir, torch::kCPU);
  int64_t painted = 0;
  int compared = 0;  // (image, class) masks with enough pixels for an overlap check
  for (std::size_t i = 0; i < ids.size(); ++i) {
    cv::Mat gray = cv::imread((work / ("images/" + ids[i])), cv::IMREAD_GRAYSCALE);
    cv::Mat small = steel::data::resize_image(gray, 32, 160);
    auto input = (torch::from_blob(small.data, {1, 1, 32, 160}, torch::kUInt8).to(torch::kFloat32) / 255.0)
                     .expand({1, 3, 32, 160})
                     .contiguous();
    const auto expected = ensemble_probabilities(models, input)[0].gt(o.threshold);
    for (int c = 0; c < 4; ++c) {
      const auto& row = rows[1 + i * 4 + static_cast<std::size_t>(c)];
      ASSERT_EQ(row.size() >= 3 ? row[0] + "/" + row[2] : row[0], ids[i] + "/" + std::to_string(c + 1));
      cv::Mat full(256, 1600, CV_8UC1, cv::Scalar(0));
      for (const auto& r : steel::data::parse_rle(row[1], 256, 1600)) {
        for (int64_t p = r.start; p < r.start + r.length; ++p) full.at<uint8_t>(p % 256, p / 256) = 255;
        painted += r.length;
      }
      cv::Mat down;
      cv::resize(full, down, cv::Size(160, 32), 0, 0, cv::INTER_AREA);
      int64_t both = 0, either = 0, agree = 0;
      const auto want_tensor = expected[c].contiguous();
      const auto want = want_tensor.accessor<bool, 2>();
      for (int y = 0; y < 32; ++y) {
        for (int x = 0; x < 160; ++x) {
          const bool got = down.at<uint8_t>(y, x) >= 128;
          const bool should = want[y][x];
          both += got && should;
          either += got || should;
          agree += got == should;
        }
      }
      // Upsampling, thresholding and downsampling again moves borders by a pixel at most.
      EXPECT_GE(agree, 32 * 160 * 95 / 100) << ids[i] << " class " << c + 1;
      if (either >= 20) {
        EXPECT_GE(static_cast<double>(both) / either, 0.8) << ids[i] << " class " << c + 1;
        ++compared;
      }
    }
    // Raw images have no ground truth: one panel (the prediction) at the image's own size.
    const auto picture = cv::imread(work / ("overlays/" + fs::path(ids[i]).stem().string() + ".png"));
    ASSERT_FALSE(picture.empty()) << ids[i];
    EXPECT_EQ(picture.rows, 256) << ids[i];
    EXPECT_EQ(picture.cols, 1600) << ids[i];
  }
  EXPECT_GT(painted, 0) << "threshold 0.3 on a trained model predicted nothing at all";
  EXPECT_GT(compared, 0) << "no mask was large enough to compare";

  // The launch format, same masks.
  o.format = "legacy";
  o.out_csv = work / "legacy.csv";
  o.overlays_dir.clear();
  run_predict(o);
  const auto legacy = read_csv(o.out_csv);
  ASSERT_EQ(legacy.size(), rows.size());
  EXPECT_EQ(legacy[0], (std::vector<std::string>{"ImageId_ClassId", "EncodedPixels"}));
  for (std::size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(legacy[r][0], rows[r][0] + "_" + rows[r][2]);
    EXPECT_EQ(legacy[r].size() > 1 ? legacy[r][1] : "", rows[r][1]);
  }

  // The 200-pixel rule removes small classes: with an impossible minimum every mask is empty.
  o.format = "kaggle";
  o.min_pixels = 32 * 160;
  o.out_csv = work / "empty.csv";
  run_predict(o);
  const auto empty = read_csv(o.out_csv);
  for (std::size_t r = 1; r < empty.size(); ++r) EXPECT_TRUE(empty[r][1].empty()) << empty[r][0];
}

TEST_F(EvaluateTest, TheEnsembleIsTheMeanOfTheFoldModelsProbabilities) {
  auto models = load_fold_models(suite_dir() / "runs/resnet18", torch::kCPU);
  ASSERT_EQ(models.size(), 2u);
  torch::manual_seed(3);
  const auto images = torch::rand({2, 3, 32, 160});
  torch::NoGradGuard no_grad;
  const auto a = torch::sigmoid(models[0].model->forward(images));
  const auto b = torch::sigmoid(models[1].model->forward(images));
  ASSERT_FALSE(torch::allclose(a, b)) << "two different models are needed for this test";
  EXPECT_TRUE(torch::allclose(ensemble_probabilities(models, images), (a + b) / 2, 1e-6, 1e-7));
}

TEST_F(EvaluateTest, ReportCollectsTheRunBesideTheThesisAndMarksMissingRuns) {
  TempDir out;
  EvalOptions e;
  e.run_dir = suite_dir() / "runs/resnet18";
  e.data_dir = prep();
  e.overlays = 2;
  run_eval(e);
  steel::report::ReportOptions o;
  o.runs_dir = suite_dir() / "runs";
  o.out_dir = out / "report";
  const auto index = steel::report::run_report(o);
  std::ifstream in(index);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("Figure 57"), std::string::npos);
  for (const char* f : {"figure55.csv", "figure56.csv", "figure57.csv", "figure55.md", "curves_resnet18.png"}) {
    EXPECT_TRUE(fs::exists(out / ("report/" + std::string(f)))) << f;
  }
  const auto f55 = read_csv(out / "report/figure55.csv");
  // Header, then steel + thesis rows for the thesis's 8 backbones, then our extra resnet18 run.
  ASSERT_EQ(f55.size(), 1u + 16 + 1);
  EXPECT_EQ(f55[1][0], "resnet34");
  EXPECT_EQ(f55[1][1], "steel");
  for (std::size_t i = 2; i < f55[1].size(); ++i) {
    EXPECT_EQ(f55[1][i], "") << "a backbone without runs must be empty (missing), never zeros: column " << i;
  }
  EXPECT_EQ(f55[2][1], "thesis");
  EXPECT_EQ(f55[2][3], "104.75");
  const auto& ours = f55.back();
  ASSERT_EQ(ours[0], "resnet18");
  EXPECT_EQ(ours[2], "2");  // folds 0 and 2
  // The fold average of val_loss equals the mean of folds.csv's rows.
  const auto folds = read_csv(suite_dir() / "runs/resnet18/folds.csv");
  ASSERT_EQ(folds.size(), 3u);
  EXPECT_NEAR(std::stod(ours[5]), 0.5 * (std::stod(folds[1][6]) + std::stod(folds[2][6])), 1e-4);
  const auto f56 = read_csv(out / "report/figure56.csv");
  EXPECT_EQ(f56[1], (std::vector<std::string>{"resnet34", "steel", "24456589", "3167495"}));
  EXPECT_EQ(f56[2], (std::vector<std::string>{"resnet34", "thesis", "24456589", "3167495"}));
  const auto f57 = read_csv(out / "report/figure57.csv");
  EXPECT_EQ(f57.back()[0], "resnet18");
  ASSERT_EQ(f57.back().size(), 29u);
  EXPECT_EQ(f57[0][25], "fold_accuracy_total");
  // Fold spread: two fold models, so a mean and a standard deviation of their test values.
  const auto tests = read_csv(suite_dir() / "runs/resnet18/test_metrics.csv");
  ASSERT_EQ(tests.size(), 4u);  // header, fold_0, fold_2, ensemble
  ASSERT_EQ(tests[0][2], "test_loss");
  const double a = std::stod(tests[1][2]), b = std::stod(tests[2][2]);
  ASSERT_EQ(f55[0][17], "fold_test_loss");
  EXPECT_NEAR(std::stod(ours[17]), 0.5 * (a + b), 1e-4);
  EXPECT_NEAR(std::stod(ours[18]), std::abs(a - b) / std::sqrt(2.0), 1e-4);
  EXPECT_NE(f57.back()[25], "");
  EXPECT_NE(f57.back()[26], "");
  // The index shows sample overlays through links relative to the report folder.
  EXPECT_NE(text.str().find("overlays/test_"), std::string::npos);
  EXPECT_EQ(text.str().find("](/"), std::string::npos) << "absolute links break when the folders move";
}
