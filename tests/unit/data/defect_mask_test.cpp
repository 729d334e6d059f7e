#include "steel/data/defect_mask.h"

#include <gtest/gtest.h>

namespace steel::data {
namespace {

TEST(DefectMask, DecodesEachClassIntoItsBit) {
  ImageAnnotation a;
  a.runs[0] = parse_rle("1 2", 4, 3);   // (0,0),(1,0)
  a.runs[2] = parse_rle("2 1", 4, 3);   // (1,0): overlaps class 1
  a.runs[3] = parse_rle("12 1", 4, 3);  // (3,2)
  const cv::Mat m = decode_mask(a, 4, 3);
  EXPECT_EQ(m.at<uint8_t>(0, 0), 1);
  EXPECT_EQ(m.at<uint8_t>(1, 0), 1 | 4);
  EXPECT_EQ(m.at<uint8_t>(3, 2), 8);
  EXPECT_EQ(count_class_pixels(m), (std::array<int64_t, 4>{2, 0, 1, 1}));
}

TEST(DefectMask, HalfResolutionKeepsAClassCoveringHalfOfA2x2Block) {
  cv::Mat m(4, 4, CV_8UC1, cv::Scalar(0));
  m.at<uint8_t>(0, 0) = 2;  // one of four pixels: dropped
  m.at<uint8_t>(0, 2) = 1;  // two of four (a one-pixel-wide vertical crack): kept
  m.at<uint8_t>(1, 2) = 1;
  m.at<uint8_t>(2, 0) = 8;  // three of four: kept
  m.at<uint8_t>(2, 1) = 8;
  m.at<uint8_t>(3, 0) = 8;
  const cv::Mat s = resize_mask(m, 2, 2);
  EXPECT_EQ(s.at<uint8_t>(0, 0), 0);
  EXPECT_EQ(s.at<uint8_t>(0, 1), 1);
  EXPECT_EQ(s.at<uint8_t>(1, 0), 8);
  EXPECT_EQ(s.at<uint8_t>(1, 1), 0);
}

TEST(DefectMask, ImageResizeIsAreaAveraging) {
  cv::Mat img(2, 4, CV_8UC1, cv::Scalar(0));
  img.at<uint8_t>(0, 0) = 100;
  img.at<uint8_t>(1, 1) = 200;
  const cv::Mat s = resize_image(img, 1, 2);
  EXPECT_EQ(s.at<uint8_t>(0, 0), 75);
  EXPECT_EQ(s.at<uint8_t>(0, 1), 0);
}

}  // namespace
}  // namespace steel::data

namespace steel::data {
namespace {

TEST(DefectMask, DirectResizedDecodeEqualsDecodeThenResize) {
  ImageAnnotation a;
  a.runs[0] = parse_rle("1 300 1000 57 40000 900", 256, 1600);
  a.runs[1] = parse_rle("5000 2 5258 2 5514 3", 256, 1600);  // a thin crack across columns
  a.runs[3] = parse_rle("200000 5000", 256, 1600);
  const cv::Mat expected = resize_mask(decode_mask(a), 128, 800);
  const cv::Mat actual = decode_resized_mask(a, 128, 800);
  EXPECT_EQ(cv::countNonZero(expected != actual), 0);
  EXPECT_GT(cv::countNonZero(actual), 0);
}

}  // namespace
}  // namespace steel::data
