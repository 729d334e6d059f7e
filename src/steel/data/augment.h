// The geometric augmentations the thesis used to balance classes, applied to an image and its mask together.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace steel::data {

/// One augmentation: an optional flip followed by an optional rotation about the centre.
struct Augmentation {
  std::string name;       ///< "none", "hflip", "rot180", "vflip+rot-10", ... (stored in shards)
  int flip = -2;          ///< OpenCV flip code: 1 horizontal, 0 vertical, -1 both (= rotate 180), -2 none
  double degrees = 0.0;   ///< counter-clockwise rotation
};

/// The identity followed by the distinct variants used for balancing, in the order they are
/// used: horizontal flip, vertical flip, rotate 180, rotate +-10 degrees, then each flip
/// combined with each small rotation. (hflip+vflip equals rot180, so it is not repeated.)
const std::vector<Augmentation>& augmentations();

/// Looks an augmentation up by name; throws std::invalid_argument for an unknown one.
const Augmentation& augmentation_by_name(const std::string& name);

/// Applies `aug` to a grayscale image (bilinear; reflected border so no black corners) and
/// to its class-bitfield mask (nearest; zero border: rotated-in pixels carry no defect).
void apply_augmentation(const Augmentation& aug, const cv::Mat& image, const cv::Mat& mask,
                        cv::Mat& image_out, cv::Mat& mask_out);

}  // namespace steel::data
