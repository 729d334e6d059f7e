#include "steel/eval/overlay.h"

#include <algorithm>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "steel/core/atomic_file.h"
#include "steel/core/error.h"
#include "steel/data/record_encoding.h"

namespace steel::eval {
namespace {

cv::Mat panel(const cv::Mat& image, const cv::Mat& bits, const std::string& label) {
  // Small stored images are scaled up so that contours and text stay legible.
  const int scale = std::max(1, 800 / image.cols);  // about 800 pixels wide, whatever the stored resolution
  cv::Mat gray;
  cv::resize(image, gray, {}, scale, scale, cv::INTER_NEAREST);
  cv::Mat out;
  cv::cvtColor(gray, out, cv::COLOR_GRAY2BGR);
  for (int c = 0; c < data::kNumClasses; ++c) {
    cv::Mat plane = (bits & cv::Scalar(data::class_bit(c))) != 0;
    if (cv::countNonZero(plane) == 0) continue;
    cv::resize(plane, plane, {}, scale, scale, cv::INTER_NEAREST);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(plane, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    cv::drawContours(out, contours, -1, class_colour(c + 1), 2);
  }
  cv::putText(out, label, {6, 18}, cv::FONT_HERSHEY_SIMPLEX, 0.5, {0, 255, 0}, 1, cv::LINE_AA);
  return out;
}

}  // namespace

cv::Scalar class_colour(int class_index) {
  switch (class_index) {
    case 1: return {0, 0, 255};      // red
    case 2: return {0, 255, 255};    // yellow
    case 3: return {255, 0, 0};      // blue
    default: return {255, 255, 255};  // white
  }
}

cv::Mat draw_overlay(const cv::Mat& image, const cv::Mat& truth, const cv::Mat& predicted, const std::string& title) {
  CV_Assert(image.type() == CV_8UC1 && truth.type() == CV_8UC1 && predicted.type() == CV_8UC1);
  CV_Assert(image.size() == truth.size() && image.size() == predicted.size());
  cv::Mat both;
  cv::vconcat(panel(image, truth, title + "  ground truth"), panel(image, predicted, title + "  prediction"), both);
  return both;
}

cv::Mat draw_prediction_overlay(const cv::Mat& image, const cv::Mat& predicted, const std::string& title) {
  CV_Assert(image.type() == CV_8UC1 && predicted.type() == CV_8UC1);
  CV_Assert(image.size() == predicted.size());
  return panel(image, predicted, title + "  prediction");
}

void write_png(const std::string& path, const cv::Mat& picture) {
  std::vector<uchar> bytes;
  if (!cv::imencode(".png", picture, bytes)) throw DataError(path + ": PNG encoding failed");
  write_file_atomically(path, std::string(bytes.begin(), bytes.end()));
}

}  // namespace steel::eval
