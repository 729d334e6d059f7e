#include "steel/data/train_csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steel/core/error.h"
#include "support/temp_dir.h"

namespace steel::data {
namespace {

using ::testing::HasSubstr;
using steel::testing::TempDir;
using steel::testing::write_file;

TEST(TrainCsv, ReadsTheLongFormat) {
  TempDir dir;
  write_file(dir / "t.csv", "ImageId,ClassId,EncodedPixels\na.jpg,1,1 3\na.jpg,3,10 2\nb.jpg,4,5 5\n");
  const TrainCsv csv = read_train_csv(dir / "t.csv", OnError::kFail);
  EXPECT_EQ(csv.format, CsvFormat::kLong);
  ASSERT_EQ(csv.images.size(), 2u);
  EXPECT_EQ(csv.images[0].image_id, "a.jpg");
  EXPECT_TRUE(csv.images[0].has_class(0));
  EXPECT_FALSE(csv.images[0].has_class(1));
  EXPECT_TRUE(csv.images[0].has_class(2));
  EXPECT_EQ(csv.images[0].line[2], 3);
  EXPECT_EQ(csv.images[1].num_classes_present(), 1);
}

TEST(TrainCsv, ReadsTheLegacyFormatWithBomAndCrlf) {
  TempDir dir;
  write_file(dir / "t.csv",
             "\xEF\xBB\xBFImageId_ClassId,EncodedPixels\r\na.jpg_1,1 3\r\na.jpg_2,\r\na.jpg_3,\r\na.jpg_4,9 1\r\n"
             "b.jpg_1,\r\nb.jpg_2,\r\nb.jpg_3,\r\nb.jpg_4,\r\n");
  const TrainCsv csv = read_train_csv(dir / "t.csv", OnError::kFail);
  EXPECT_EQ(csv.format, CsvFormat::kLegacy);
  ASSERT_EQ(csv.images.size(), 2u);
  EXPECT_TRUE(csv.images[0].has_class(0));
  EXPECT_TRUE(csv.images[0].has_class(3));
  EXPECT_EQ(csv.images[0].runs[3][0].start, 8);
  EXPECT_EQ(csv.images[1].num_classes_present(), 0);  // a defect-free image
}

TEST(TrainCsv, QuotedFieldsBlankLinesAndAMissingFinalNewline) {
  TempDir dir;
  // A spreadsheet's export: quoted fields (one with a comma inside the quotes is not split), a blank line,
  // and no newline after the last row.
  write_file(dir / "t.csv",
             "ImageId,ClassId,EncodedPixels\n\"a.jpg\",\"1\",\"1 3 10 2\"\n\nb.jpg,3,5 5\n\"c,d.jpg\",2,7 1");
  const TrainCsv csv = read_train_csv(dir / "t.csv", OnError::kFail);
  ASSERT_EQ(csv.images.size(), 3u);
  EXPECT_EQ(csv.images[0].image_id, "a.jpg");
  ASSERT_EQ(csv.images[0].runs[0].size(), 2u);
  EXPECT_EQ(csv.images[0].runs[0][1].start, 9);
  EXPECT_EQ(csv.images[1].line[2], 4) << "line numbers count the blank line";
  EXPECT_EQ(csv.images[2].image_id, "c,d.jpg");
  EXPECT_EQ(csv.images[2].line[1], 5);
  ASSERT_EQ(csv.images[2].runs[1].size(), 1u) << "the last row, with no newline after it, is read";
  EXPECT_EQ(csv.images[2].runs[1][0].length, 1);
}

TEST(TrainCsv, WriterAndReaderAgreeInBothFormats) {
  TempDir dir;
  const std::vector<std::string> ids = {"x.jpg", "y.jpg"};
  const std::vector<std::array<std::string, 4>> rle = {{"1 2", "", "", "100 5"}, {"", "", "", ""}};
  for (auto format : {CsvFormat::kLong, CsvFormat::kLegacy}) {
    write_train_csv(dir / "w.csv", ids, rle, format);
    const TrainCsv csv = read_train_csv(dir / "w.csv", OnError::kFail);
    EXPECT_EQ(csv.format, format);
    ASSERT_GE(csv.images.size(), 1u);
    EXPECT_EQ(csv.images[0].runs[3][0].start, 99);
    EXPECT_EQ(csv.images.size(), format == CsvFormat::kLong ? 1u : 2u);
  }
}

// Every bad input names the file and the line and says what is wrong.
void expect_error(const std::string& content, const std::string& where, const std::string& reason) {
  TempDir dir;
  const std::string path = dir / "bad.csv";
  write_file(path, content);
  try {
    read_train_csv(path, OnError::kFail);
    FAIL() << "accepted: " << content;
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path + ":" + where)) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(reason)) << e.what();
  }
}

TEST(TrainCsv, EveryBadRowIsAnErrorNamingFileLineAndReason) {
  const std::string h = "ImageId,ClassId,EncodedPixels\n";
  expect_error("Image,Class\n", "1", "unrecognised header");
  expect_error(h + "a.jpg,1,1 3\na.jpg,5,1 3\n", "3", "ClassId '5' is not one of");
  expect_error(h + "a.jpg,1,1 3 4\n", "2", "odd number of tokens");
  expect_error(h + "a.jpg,1,1 x\n", "2", "not a non-negative integer");
  expect_error(h + "a.jpg,1,0 3\n", "2", "start must be >= 1");
  expect_error(h + "a.jpg,1,409600 2\n", "2", "runs past the last pixel");
  expect_error(h + "a.jpg,1,10 3 5 1\n", "2", "overlaps or precedes");
  expect_error(h + "a.jpg,2,1 3\na.jpg,2,9 3\n", "3", "duplicate row for image 'a.jpg' class 2");
  expect_error(h + "a.jpg,2\n", "2", "expected 3 fields, found 2");
  expect_error("ImageId_ClassId,EncodedPixels\na.jpg_1,\na.jpg_2,\n", "2", "needs one per class");
  // The missing row is class 1's: the message still points at the image's first row.
  expect_error("ImageId_ClassId,EncodedPixels\nb.jpg_1,\nb.jpg_2,\nb.jpg_3,\nb.jpg_4,\na.jpg_3,\na.jpg_2,\n", "6",
               "'a.jpg' has 2 rows");
  expect_error("ImageId_ClassId,EncodedPixels\najpg,1 1\n", "2", "has no '_<class>' suffix");
}

TEST(TrainCsv, SkipModeDropsTheWholeImageAndRecordsWhy) {
  TempDir dir;
  write_file(dir / "t.csv", "ImageId,ClassId,EncodedPixels\na.jpg,1,1 3\na.jpg,2,7 x\nb.jpg,3,1 1\n");
  const TrainCsv csv = read_train_csv(dir / "t.csv", OnError::kSkip);
  ASSERT_EQ(csv.images.size(), 1u);
  EXPECT_EQ(csv.images[0].image_id, "b.jpg");
  ASSERT_EQ(csv.skipped.size(), 1u);
  EXPECT_THAT(csv.skipped[0].message, HasSubstr(":3: "));
}

TEST(TrainCsv, MissingFileIsAClearError) {
  EXPECT_THROW(read_train_csv("/nonexistent/train.csv", OnError::kFail), DataError);
}

}  // namespace
}  // namespace steel::data
