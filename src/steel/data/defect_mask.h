// Masks as images: Kaggle runs painted into the class bitfield (record_encoding.h), and the resize rule for it.
#pragma once

#include <array>
#include <cstdint>

#include <opencv2/core.hpp>

#include "steel/data/train_csv.h"

namespace steel::data {

/// Decodes an image's four RLE masks into one CV_8UC1 bitfield of height x width.
cv::Mat decode_mask(const ImageAnnotation& annotation, int64_t height = kSourceHeight,
                    int64_t width = kSourceWidth);

/// Resizes a bitfield mask. Rule: a target pixel gets class c when at least half of the source
/// area it covers has class c (OpenCV's INTER_AREA on each class plane, then >= 0.5). Unlike
/// nearest-neighbour, thin one-pixel cracks that cover half a target pixel survive a 2x reduction.
cv::Mat resize_mask(const cv::Mat& mask, int height, int width);

/// decode_mask followed by resize_mask, without materialising the full-size bitfield: each class
/// present is painted as its own 0/255 plane straight from the runs. Same result, fewer passes.
cv::Mat decode_resized_mask(const ImageAnnotation& annotation, int height, int width,
                            int64_t source_height = kSourceHeight, int64_t source_width = kSourceWidth);

/// Resizes a grayscale image with INTER_AREA (the thesis's half-resolution 128x800 by default).
cv::Mat resize_image(const cv::Mat& image, int height, int width);

/// Number of pixels carrying each class.
std::array<int64_t, kNumClasses> count_class_pixels(const cv::Mat& mask);

}  // namespace steel::data
