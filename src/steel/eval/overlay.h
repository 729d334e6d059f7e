// The pictures people look at: an image with ground-truth and predicted defect contours per class (thesis
// Figs 43-47, 62-65), or with predicted contours alone where there is no ground truth.
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace steel::eval {

/// Contour colours per class (BGR), as in the thesis: type 1 red, 2 yellow, 3 blue, 4 white.
cv::Scalar class_colour(int class_index);

/// image: HxW uint8 grayscale; truth and predicted: HxW uint8 class bitfields (bit c-1 = class c).
/// Returns a 3-channel picture of two panels stacked: the image with ground-truth contours on top, the image with
/// predicted contours below, each labelled.
cv::Mat draw_overlay(const cv::Mat& image, const cv::Mat& truth, const cv::Mat& predicted, const std::string& title);

/// The prediction panel of draw_overlay alone, for images without ground truth (steel_predict's raw images): an
/// empty ground-truth panel would claim that the image has no defects.
cv::Mat draw_prediction_overlay(const cv::Mat& image, const cv::Mat& predicted, const std::string& title);

/// Writes `picture` as PNG to `path` atomically (temp file + rename); DataError on failure.
void write_png(const std::string& path, const cv::Mat& picture);

}  // namespace steel::eval
