#include "steel/data/defect_mask.h"

#include <opencv2/imgproc.hpp>

#include "steel/data/record_encoding.h"

namespace steel::data {

cv::Mat decode_mask(const ImageAnnotation& annotation, int64_t height, int64_t width) {
  cv::Mat mask(static_cast<int>(height), static_cast<int>(width), CV_8UC1, cv::Scalar(0));
  for (int c = 0; c < kNumClasses; ++c) {
    paint_runs(annotation.runs[c], height, width, class_bit(c), mask.ptr<uint8_t>());
  }
  return mask;
}

namespace {

// The mask resize rule, for one class: area-resize its 0/255 plane and set `bit` in `out`
// wherever at least half of the covered source area had the class.
void or_resized_plane(const cv::Mat& plane, uint8_t bit, cv::Mat& out) {
  cv::Mat small;
  cv::resize(plane, small, out.size(), 0, 0, cv::INTER_AREA);
  for (int y = 0; y < out.rows; ++y) {
    const uint8_t* in = small.ptr<uint8_t>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < out.cols; ++x) o[x] |= in[x] >= 128 ? bit : 0;
  }
}

}  // namespace

cv::Mat resize_mask(const cv::Mat& mask, int height, int width) {
  if (mask.rows == height && mask.cols == width) return mask.clone();
  cv::Mat out(height, width, CV_8UC1, cv::Scalar(0));
  for (int c = 0; c < kNumClasses; ++c) {
    const uint8_t bit = class_bit(c);
    cv::Mat has;
    cv::bitwise_and(mask, cv::Scalar(bit), has);
    if (cv::countNonZero(has) == 0) continue;
    or_resized_plane(has != 0, bit, out);
  }
  return out;
}

cv::Mat decode_resized_mask(const ImageAnnotation& annotation, int height, int width, int64_t source_height,
                            int64_t source_width) {
  cv::Mat out(height, width, CV_8UC1, cv::Scalar(0));
  cv::Mat plane;
  for (int c = 0; c < kNumClasses; ++c) {
    if (annotation.runs[c].empty()) continue;
    plane = cv::Mat::zeros(static_cast<int>(source_height), static_cast<int>(source_width), CV_8UC1);
    paint_runs(annotation.runs[c], source_height, source_width, 255, plane.ptr<uint8_t>());
    or_resized_plane(plane, class_bit(c), out);
  }
  return out;
}

cv::Mat resize_image(const cv::Mat& image, int height, int width) {
  if (image.rows == height && image.cols == width) return image.clone();
  cv::Mat out;
  cv::resize(image, out, cv::Size(width, height), 0, 0, cv::INTER_AREA);
  return out;
}

std::array<int64_t, kNumClasses> count_class_pixels(const cv::Mat& mask) {
  std::array<int64_t, kNumClasses> counts{};
  if (cv::countNonZero(mask) == 0) return counts;
  for (int y = 0; y < mask.rows; ++y) {
    const uint8_t* row = mask.ptr<uint8_t>(y);
    for (int x = 0; x < mask.cols; ++x) {
      const uint8_t v = row[x];
      if (v == 0) continue;
      for (int c = 0; c < kNumClasses; ++c) counts[c] += has_class(v, c) ? 1 : 0;
    }
  }
  return counts;
}

}  // namespace steel::data
