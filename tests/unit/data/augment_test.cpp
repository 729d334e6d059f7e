#include "steel/data/augment.h"

#include <set>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

namespace steel::data {
namespace {

cv::Mat ramp(int h, int w) {
  cv::Mat m(h, w, CV_8UC1);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) m.at<uint8_t>(y, x) = static_cast<uint8_t>(y * w + x);
  return m;
}

TEST(Augment, NamesAreUniqueAndStartWithTheIdentity) {
  std::set<std::string> names;
  for (const auto& a : augmentations()) names.insert(a.name);
  EXPECT_EQ(names.size(), augmentations().size());
  EXPECT_EQ(augmentations()[0].name, "none");
  EXPECT_EQ(augmentation_by_name("rot180").flip, -1);
  EXPECT_THROW(augmentation_by_name("rot90"), std::invalid_argument);
}

TEST(Augment, FlipsMoveImageAndMaskTogether) {
  const cv::Mat img = ramp(4, 6), mask = ramp(4, 6);
  cv::Mat io, mo;
  apply_augmentation(augmentation_by_name("hflip"), img, mask, io, mo);
  EXPECT_EQ(io.at<uint8_t>(0, 0), img.at<uint8_t>(0, 5));
  EXPECT_EQ(mo.at<uint8_t>(3, 0), mask.at<uint8_t>(3, 5));
  apply_augmentation(augmentation_by_name("vflip"), img, mask, io, mo);
  EXPECT_EQ(io.at<uint8_t>(0, 2), img.at<uint8_t>(3, 2));
  apply_augmentation(augmentation_by_name("rot180"), img, mask, io, mo);
  EXPECT_EQ(io.at<uint8_t>(0, 0), img.at<uint8_t>(3, 5));
  EXPECT_EQ(mo.at<uint8_t>(1, 1), mask.at<uint8_t>(2, 4));
}

TEST(Augment, SmallRotationKeepsMaskValuesExactAndImageSize) {
  cv::Mat img(64, 128, CV_8UC1, cv::Scalar(90));
  cv::Mat mask(64, 128, CV_8UC1, cv::Scalar(0));
  cv::rectangle(mask, cv::Rect(40, 20, 50, 20), cv::Scalar(4), cv::FILLED);
  cv::Mat io, mo;
  apply_augmentation(augmentation_by_name("rot+10"), img, mask, io, mo);
  EXPECT_EQ(io.size(), img.size());
  std::set<int> values;
  for (int y = 0; y < mo.rows; ++y)
    for (int x = 0; x < mo.cols; ++x) values.insert(mo.at<uint8_t>(y, x));
  EXPECT_EQ(values, (std::set<int>{0, 4}));  // nearest-neighbour: no blended class bits
  EXPECT_NEAR(cv::countNonZero(mo), 1000, 60);  // area preserved by a rotation
  EXPECT_NE(cv::countNonZero(mo != mask), 0);
}

}  // namespace
}  // namespace steel::data
