// End to end: steel_synth's generator -> steel_prep -> shards, on a small set.
#include "steel/data/prep.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "steel/core/error.h"
#include "steel/data/shard_reader.h"
#include "steel/data/synth.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;

namespace steel::data {
namespace {

using ::testing::HasSubstr;
using steel::testing::list_dir;
using steel::testing::TempDir;

// One synthetic dataset shared by the tests of this file (generating it is the slow part).
class PrepTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    SynthOptions s;
    s.out_dir = (*dir_) / "kaggle";
    s.images = 240;
    s.seed = 3;
    s.multi_fraction = 0.15;  // enough multi-defect images for a small test set
    run_synth(s);
  }
  static void TearDownTestSuite() { delete dir_; }

  PrepOptions options(const std::string& out) const {
    PrepOptions o;
    o.csv = (*dir_) / "kaggle/train.csv";
    o.images_dir = (*dir_) / "kaggle/train_images";
    o.out_dir = out;
    o.split.test_per_class = 1;
    o.split.test_multi = 2;
    o.split.balance_to = "auto";
    o.split.folds = 3;
    o.height = 64;
    o.width = 320;
    return o;
  }
  static TempDir* dir_;
};
TempDir* PrepTest::dir_ = nullptr;

TEST_F(PrepTest, SynthWritesTheKaggleLayout) {
  const auto images = list_dir(dir_->path() / "kaggle/train_images");
  EXPECT_EQ(images.size(), 240u);
  const cv::Mat img = cv::imread((dir_->path() / "kaggle/train_images" / images[0]).string(), cv::IMREAD_UNCHANGED);
  EXPECT_EQ(img.cols, 1600);
  EXPECT_EQ(img.rows, 256);
  EXPECT_EQ(img.channels(), 3);
  const TrainCsv csv = read_train_csv((*dir_) / "kaggle/train.csv", OnError::kFail);
  EXPECT_EQ(csv.format, CsvFormat::kLong);
  std::array<int, 4> rows{};
  for (const auto& a : csv.images)
    for (int c = 0; c < 4; ++c) rows[c] += a.has_class(c);
  // Class 3 dominates and class 2 is rarest, as in the real data.
  EXPECT_GT(rows[2], rows[0] + rows[1] + rows[3]);
  EXPECT_LT(rows[1], rows[0]);
  EXPECT_GT(csv.images.size(), 80u);
  EXPECT_LT(csv.images.size(), 170u);
}

TEST_F(PrepTest, SynthIsDeterministicPerSeed) {
  SynthOptions a;
  a.images = 3;
  a.seed = 11;
  const SynthImage x = render_synthetic_image(11, 2, a), y = render_synthetic_image(11, 2, a);
  EXPECT_EQ(cv::countNonZero(x.mask != y.mask), 0);
  cv::Mat diff;
  cv::absdiff(x.bgr, y.bgr, diff);
  EXPECT_EQ(cv::countNonZero(diff.reshape(1)), 0);
  EXPECT_NE(synthetic_image_id(11, 2), synthetic_image_id(12, 2));
}

TEST_F(PrepTest, EndToEndShardsMatchTheManifestAndThePlan) {
  TempDir out;
  const PrepResult result = run_prep(options(out / "prep"));
  EXPECT_EQ(list_dir(out.path()), std::vector<std::string>{"prep"});
  EXPECT_EQ(list_dir(out.path() / "prep"),
            (std::vector<std::string>{"fold_0.h5", "fold_1.h5", "fold_2.h5", "manifest.csv", "summary.txt", "test.h5"}));
  int64_t total = 0;
  std::map<std::string, std::string> split_of_source;
  for (int fold = -1; fold < 3; ++fold) {
    ShardReader shard((out.path() / "prep" / shard_file_name(fold)).string());
    EXPECT_EQ(shard.info().fold, fold);
    EXPECT_EQ(shard.info().height, 64);
    EXPECT_EQ(shard.info().width, 320);
    total += shard.size();
    std::vector<uint8_t> img(64 * 320), mask(64 * 320);
    for (int64_t i = 0; i < shard.size(); ++i) {
      const auto& m = shard.meta(i);
      // Grouped folds: every copy of a source lives in the same shard.
      const auto [it, inserted] = split_of_source.emplace(m.source_id, shard_file_name(fold));
      EXPECT_EQ(it->second, shard_file_name(fold)) << m.source_id;
      shard.read_record(i, img.data(), mask.data());
      std::array<uint32_t, 4> pixels{};
      for (uint8_t v : mask)
        for (int c = 0; c < 4; ++c) pixels[c] += (v >> c) & 1u;
      EXPECT_EQ(pixels, m.defect_pixels) << m.image_id;
      if (fold == -1) {
        EXPECT_EQ(m.augmentation, "none");
      }
    }
  }
  EXPECT_EQ(total, result.records);
  std::ifstream manifest(out.path() / "prep/manifest.csv");
  std::string line;
  int64_t lines = 0;
  while (std::getline(manifest, line)) ++lines;
  EXPECT_EQ(lines, total + 1);
}

TEST_F(PrepTest, SummaryCountsTheSourceImagesAndTheRecordsOfEverySplit) {
  TempDir out;
  const PrepResult result = run_prep(options(out / "prep"));
  // Expected from the shards themselves: per split, unaugmented records and all records.
  std::map<std::string, std::pair<int64_t, int64_t>> expected;
  for (int fold = -1; fold < 3; ++fold) {
    ShardReader shard(out / ("prep/" + shard_file_name(fold)));
    auto& [originals, all] = expected[fold < 0 ? "test" : "fold_" + std::to_string(fold)];
    for (int64_t i = 0; i < shard.size(); ++i) {
      originals += shard.meta(i).augmentation == "none" ? 1 : 0;
      ++all;
    }
  }
  // The summary: the kept source images, then all records; rows "split records class_1 ...".
  std::istringstream text(result.summary);
  std::string line;
  int table = -1;
  std::map<std::string, std::pair<int64_t, int64_t>> seen;
  while (std::getline(text, line)) {
    if (line.rfind("source images kept per split", 0) == 0) table = 0;
    if (line.rfind("records per split (augmented copies included)", 0) == 0) table = 1;
    std::istringstream fields(line);
    std::string split;
    int64_t records = 0;
    if (table >= 0 && fields >> split >> records && (split == "test" || split.rfind("fold_", 0) == 0)) {
      (table == 0 ? seen[split].first : seen[split].second) = records;
    }
  }
  EXPECT_EQ(seen, expected) << result.summary;
  int64_t augmented = 0;
  for (const auto& [split, counts] : expected) augmented += counts.second - counts.first;
  EXPECT_GT(augmented, 0) << "balancing to the median should have added augmented copies";
}

TEST_F(PrepTest, SameSeedGivesIdenticalShards) {
  TempDir out;
  auto o = options(out / "a");
  o.threads = 2;
  run_prep(o);
  o.out_dir = out / "b";
  o.threads = 1;
  run_prep(o);
  for (const char* name : {"fold_0.h5", "test.h5", "manifest.csv"}) {
    std::ifstream a(out.path() / "a" / name, std::ios::binary), b(out.path() / "b" / name, std::ios::binary);
    const std::string sa((std::istreambuf_iterator<char>(a)), {}), sb((std::istreambuf_iterator<char>(b)), {});
    EXPECT_TRUE(sa == sb) << name << " differs between runs";
  }
}

TEST_F(PrepTest, BothCodecsStoreTheSamePixels) {
  TempDir out;
  auto o = options(out / "blosc");
  run_prep(o);
  o.out_dir = out / "gzip";
  o.compression = {ChunkCodec::kGzip, 1};
  run_prep(o);
  for (const char* name : {"fold_1.h5", "test.h5"}) {
    ShardReader blosc(out.path() / "blosc" / name), gzip(out.path() / "gzip" / name);
    EXPECT_EQ(blosc.codec(), ChunkCodec::kBlosc);
    EXPECT_EQ(gzip.codec(), ChunkCodec::kGzip);
    EXPECT_EQ(blosc.info().prep_id, gzip.info().prep_id) << "the codec does not change what the shards hold";
    ASSERT_EQ(blosc.size(), gzip.size());
    ASSERT_GT(blosc.size(), 0);
    std::vector<uint8_t> a_image(64 * 320), a_mask(64 * 320), b_image(64 * 320), b_mask(64 * 320);
    for (int64_t i = 0; i < blosc.size(); ++i) {
      blosc.read_record(i, a_image.data(), a_mask.data());
      gzip.read_record(i, b_image.data(), b_mask.data());
      ASSERT_EQ(a_image, b_image) << name << " record " << i;
      ASSERT_EQ(a_mask, b_mask) << name << " record " << i;
    }
  }
}

// Bad input: a copy of the dataset with one thing broken. No output may be left behind.
class PrepBadInputTest : public PrepTest {
 protected:
  void SetUp() override {
    fs::create_directories(bad_.path() / "train_images");
    for (const auto& name : list_dir(dir_->path() / "kaggle/train_images")) {
      fs::create_symlink(dir_->path() / "kaggle/train_images" / name, bad_.path() / "train_images" / name);
    }
    fs::copy_file(dir_->path() / "kaggle/train.csv", bad_.path() / "train.csv");
    const TrainCsv csv = read_train_csv(bad_ / "train.csv", OnError::kFail);
    victim_ = csv.images[5].image_id;
    victim_line_ = csv.images[5].line[0] ? csv.images[5].line[0] : std::max({csv.images[5].line[1], csv.images[5].line[2], csv.images[5].line[3]});
    fs::remove(bad_.path() / "train_images" / victim_);
  }
  PrepOptions bad_options() {
    PrepOptions o = options(bad_ / "prep");
    o.csv = bad_ / "train.csv";
    o.images_dir = bad_ / "train_images";
    return o;
  }
  void expect_fails_cleanly(const std::string& reason) {
    try {
      run_prep(bad_options());
      FAIL() << "prep accepted bad input";
    } catch (const DataError& e) {
      EXPECT_THAT(e.what(), HasSubstr(victim_)) << e.what();
      EXPECT_THAT(e.what(), HasSubstr(reason)) << e.what();
    }
    EXPECT_FALSE(fs::exists(bad_.path() / "prep"));
    EXPECT_FALSE(fs::exists(bad_.path() / "prep.partial"));
  }
  TempDir bad_;
  std::string victim_;
  int64_t victim_line_ = 0;
};

TEST_F(PrepBadInputTest, MissingImageNamesFileAndCsvLine) {
  expect_fails_cleanly("image file does not exist (" + bad_options().csv + ":" + std::to_string(victim_line_) + ")");
}

TEST_F(PrepBadInputTest, UndecodableImage) {
  steel::testing::write_file(bad_ / ("train_images/" + victim_), "not a jpeg");
  expect_fails_cleanly("cannot decode the image: Not a JPEG file");
  expect_fails_cleanly("(" + bad_options().csv + ":" + std::to_string(victim_line_) + ")");
}

TEST_F(PrepBadInputTest, WrongImageSize) {
  cv::imwrite(bad_ / ("train_images/" + victim_), cv::Mat(256, 800, CV_8UC3, cv::Scalar(1, 2, 3)));
  expect_fails_cleanly("image is 800x256, expected 1600x256 (" + bad_options().csv + ":" +
                       std::to_string(victim_line_) + ")");
}

TEST_F(PrepBadInputTest, ABadImageThePlanWouldNotUseIsStillReported) {
  // The victim is back; the bad file is a defect-free image that --include-clean 0 would never use.
  fs::remove(bad_.path() / "train_images" / victim_);
  fs::create_symlink(dir_->path() / "kaggle/train_images" / victim_, bad_.path() / "train_images" / victim_);
  victim_ = "fffffff00.jpg";
  steel::testing::write_file(bad_ / ("train_images/" + victim_), "\xff\xd8 truncated");
  auto o = bad_options();
  ASSERT_EQ(o.split.include_clean, 0);
  expect_fails_cleanly("cannot decode the image");
  o.on_error = OnError::kSkip;
  const PrepResult result = run_prep(o);
  EXPECT_EQ(result.skipped_images, 1);
  EXPECT_THAT(result.summary, HasSubstr(victim_));
}

TEST_F(PrepBadInputTest, BadCsvRowFailsWithLineAndLeavesNothing) {
  std::ofstream(bad_ / "train.csv", std::ios::app) << victim_ << ",9,1 1\n";
  try {
    run_prep(bad_options());
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("ClassId '9'"));
  }
  EXPECT_FALSE(fs::exists(bad_.path() / "prep"));
}

TEST_F(PrepBadInputTest, SkipModeLogsCountsAndCarriesOn) {
  auto o = bad_options();
  o.on_error = OnError::kSkip;
  const PrepResult result = run_prep(o);
  EXPECT_EQ(result.skipped_images, 1);
  EXPECT_THAT(result.summary, HasSubstr(victim_));
  EXPECT_TRUE(fs::exists(bad_.path() / "prep/fold_0.h5"));
}

// Every kind of bad annotation row, appended to a good train.csv and run through steel_prep itself: the error
// names the CSV, the line and the reason, and no output (not even PREP.partial) is left.
struct BadRow {
  const char* name;
  const char* row;  ///< "{id}" and "{class}" stand for the image and class of the CSV's first row
  const char* reason;
};

class PrepBadCsvRowTest : public PrepTest, public ::testing::WithParamInterface<BadRow> {};

TEST_P(PrepBadCsvRowTest, FailsWithFileLineAndReasonAndLeavesNothing) {
  TempDir bad;
  const std::string csv_path = bad / "train.csv";
  fs::copy_file((*dir_) / "kaggle/train.csv", csv_path);
  std::ifstream in(csv_path);
  std::string line, image_id, class_id;
  std::getline(in, line);  // header
  ASSERT_EQ(line, "ImageId,ClassId,EncodedPixels") << "the fixture writes the long format";
  int64_t lines = 1;
  while (std::getline(in, line)) {
    ++lines;
    if (image_id.empty()) {
      image_id = line.substr(0, line.find(','));
      class_id = line.substr(image_id.size() + 1, 1);
    }
  }
  in.close();
  std::string row = GetParam().row;
  if (const auto at = row.find("{id}"); at != std::string::npos) row.replace(at, 4, image_id);
  if (const auto at = row.find("{class}"); at != std::string::npos) row.replace(at, 7, class_id);
  std::ofstream(csv_path, std::ios::app) << row << "\n";
  PrepOptions o = options(bad / "prep");
  o.csv = csv_path;
  try {
    run_prep(o);
    FAIL() << "accepted: " << row;
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(csv_path + ":" + std::to_string(lines + 1) + ":")) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(GetParam().reason)) << e.what();
  }
  EXPECT_FALSE(fs::exists(bad.path() / "prep"));
  EXPECT_FALSE(fs::exists(bad.path() / "prep.partial"));
}

INSTANTIATE_TEST_SUITE_P(
    EveryCase, PrepBadCsvRowTest,
    ::testing::Values(BadRow{"class_out_of_range", "{id},9,1 1", "ClassId '9' is not one of"},
                      BadRow{"odd_tokens", "x1.jpg,1,1 3 4", "odd number of tokens"},
                      BadRow{"not_numeric", "x2.jpg,1,1 x", "not a non-negative integer"},
                      BadRow{"start_zero", "x3.jpg,1,0 3", "start must be >= 1"},
                      BadRow{"length_zero", "x4.jpg,1,5 0", "length must be >= 1"},
                      BadRow{"past_last_pixel", "x5.jpg,1,409600 2", "runs past the last pixel"},
                      BadRow{"overlapping_runs", "x6.jpg,1,10 3 5 1", "overlaps or precedes"},
                      BadRow{"duplicate_class", "{id},{class},1 1", "duplicate row for image"},
                      BadRow{"missing_field", "x7.jpg,2", "expected 3 fields, found 2"},
                      BadRow{"empty_image_id", ",1,1 1", "empty ImageId"}),
    [](const ::testing::TestParamInfo<BadRow>& info) { return std::string(info.param.name); });

TEST_F(PrepTest, ExistingOutputIsNotOverwrittenByDefault) {
  TempDir out;
  fs::create_directories(out.path() / "prep");
  EXPECT_THROW(run_prep(options(out / "prep")), ConfigError);
}

}  // namespace
}  // namespace steel::data
