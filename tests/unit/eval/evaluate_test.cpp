#include "steel/eval/evaluate.h"
#include "steel/eval/predict.h"
#include "steel/report/report.h"
#include "steel/data/rle.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "steel/core/error.h"
#include "steel/data/shard_reader.h"
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

}  // namespace

// Two folds trained for a few steps, then evaluated: the contract steel_report reads.
class EvaluateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    steel::testing::TinyPrepOptions p;
    p.test_per_class = 1;
    p.test_multi = 1;
    prep_ = new std::string(steel::testing::make_tiny_prep(dir_->path().string(), p));
    steel::train::clear_stop_request();
    steel::train::TrainOptions o;
    o.backbone = "resnet18";
    o.encoder_mode = "trainable";
    o.data_dir = *prep_;
    o.out_dir = (*dir_) / "runs";
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
  static void TearDownTestSuite() {
    delete prep_;
    delete dir_;
  }
  static TempDir* dir_;
  static std::string* prep_;
};
TempDir* EvaluateTest::dir_ = nullptr;
std::string* EvaluateTest::prep_ = nullptr;

TEST_F(EvaluateTest, ScoresEveryFinishedFoldAndTheEnsemble) {
  EvalOptions o;
  o.run_dir = (*dir_) / "runs/resnet18";
  o.data_dir = *prep_;
  o.min_pixels = 10;
  o.overlays = 4;
  const auto scores = run_eval(o);
  ASSERT_EQ(scores.size(), 3u);
  EXPECT_EQ(scores[0].model, "fold_0");
  EXPECT_EQ(scores[1].model, "fold_2");
  EXPECT_EQ(scores[2].model, "ensemble");
  const auto test_records = steel::data::ShardReader(*prep_ + "/test.h5").size();
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
    EXPECT_EQ(picture.rows, 2 * 2 * 32) << name;
    EXPECT_EQ(picture.cols, 2 * 160) << name;
  }
  EXPECT_EQ(test_png, 4);
  EXPECT_EQ(val_png, 2);
}

TEST_F(EvaluateTest, MissingPiecesAreClearErrors) {
  TempDir empty;
  EvalOptions o;
  o.run_dir = empty.path().string();
  o.data_dir = *prep_;
  try {
    run_eval(o);
    FAIL();
  } catch (const steel::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("no finished fold"), std::string::npos) << e.what();
  }
  o.run_dir = (*dir_) / "runs/resnet18";
  o.data_dir = empty.path().string();
  try {
    run_eval(o);
    FAIL();
  } catch (const steel::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("test.h5"), std::string::npos) << e.what();
  }
}

TEST_F(EvaluateTest, PredictWritesAParseableSubmissionAtFullResolution) {
  TempDir work;
  fs::create_directories(work / "images");
  std::vector<std::string> ids;
  for (const auto& e : fs::directory_iterator((*dir_) / "kaggle/train_images")) {
    if (ids.size() == 5) break;
    fs::copy(e.path(), work / ("images/" + e.path().filename().string()));
    ids.push_back(e.path().filename().string());
  }
  std::sort(ids.begin(), ids.end());
  PredictOptions o;
  o.run_dir = (*dir_) / "runs/resnet18";
  o.images_dir = work / "images";
  o.out_csv = work / "submission.csv";
  o.overlays_dir = work / "overlays";
  o.threshold = 0.3;  // a briefly trained model: a low threshold so that some masks are not empty
  o.min_pixels = 0;
  EXPECT_EQ(run_predict(o), 5);
  const auto rows = read_csv(o.out_csv);
  ASSERT_EQ(rows.size(), 1u + 5 * 4);
  EXPECT_EQ(rows[0][0], "ImageId_ClassId");
  int64_t painted = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    for (int c = 0; c < 4; ++c) {
      const auto& row = rows[1 + i * 4 + static_cast<std::size_t>(c)];
      EXPECT_EQ(row[0], ids[i] + "_" + std::to_string(c + 1));
      const std::string rle = row.size() > 1 ? row[1] : "";
      // Every mask is a valid competition RLE for a 1600x256 image.
      const auto runs = steel::data::parse_rle(rle, 256, 1600);
      for (const auto& r : runs) painted += r.length;
    }
    EXPECT_TRUE(fs::exists(work / ("overlays/" + fs::path(ids[i]).stem().string() + ".png")));
  }
  EXPECT_GT(painted, 0) << "threshold 0.3 on a trained model predicted nothing at all";

  // The 200-pixel rule removes small classes: with an impossible minimum every mask is empty.
  o.min_pixels = 32 * 160;
  o.out_csv = work / "empty.csv";
  o.overlays_dir.clear();
  run_predict(o);
  for (const auto& row : read_csv(o.out_csv)) {
    if (row[0] != "ImageId_ClassId") EXPECT_TRUE(row.size() < 2 || row[1].empty()) << row[0];
  }
}

TEST_F(EvaluateTest, ReportCollectsTheRunBesideTheThesisAndMarksMissingRuns) {
  TempDir out;
  EvalOptions e;
  e.run_dir = (*dir_) / "runs/resnet18";
  e.data_dir = *prep_;
  e.overlays = 0;
  run_eval(e);
  steel::report::ReportOptions o;
  o.runs_dir = (*dir_) / "runs";
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
  const auto folds = read_csv((*dir_) / "runs/resnet18/folds.csv");
  ASSERT_EQ(folds.size(), 3u);
  EXPECT_NEAR(std::stod(ours[5]), 0.5 * (std::stod(folds[1][6]) + std::stod(folds[2][6])), 1e-4);
  const auto f56 = read_csv(out / "report/figure56.csv");
  EXPECT_EQ(f56[1], (std::vector<std::string>{"resnet34", "steel", "24456589", "3167495"}));
  EXPECT_EQ(f56[2], (std::vector<std::string>{"resnet34", "thesis", "24456589", "3167495"}));
  const auto f57 = read_csv(out / "report/figure57.csv");
  EXPECT_EQ(f57.back()[0], "resnet18");
  EXPECT_EQ(f57.back().size(), 25u);
}
