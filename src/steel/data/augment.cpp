#include "steel/data/augment.h"

#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace steel::data {

const std::vector<Augmentation>& augmentations() {
  static const std::vector<Augmentation> kAll = {
      {"none", -2, 0.0},         {"hflip", 1, 0.0},         {"vflip", 0, 0.0},
      {"rot180", -1, 0.0},       {"rot+10", -2, 10.0},      {"rot-10", -2, -10.0},
      {"hflip+rot+10", 1, 10.0}, {"hflip+rot-10", 1, -10.0}, {"vflip+rot+10", 0, 10.0},
      {"vflip+rot-10", 0, -10.0},
  };
  return kAll;
}

const Augmentation& augmentation_by_name(const std::string& name) {
  for (const auto& aug : augmentations()) {
    if (aug.name == name) return aug;
  }
  throw std::invalid_argument("unknown augmentation '" + name + "'");
}

void apply_augmentation(const Augmentation& aug, const cv::Mat& image, const cv::Mat& mask,
                        cv::Mat& image_out, cv::Mat& mask_out) {
  // Flip into fresh matrices: cv::flip into a header that shares the input's buffer would
  // overwrite the caller's image.
  cv::Mat img, msk;
  if (aug.flip == -2) {
    img = image;
    msk = mask;
  } else {
    cv::flip(image, img, aug.flip);
    cv::flip(mask, msk, aug.flip);
  }
  if (aug.degrees == 0.0) {
    image_out = aug.flip != -2 ? img : image.clone();
    mask_out = aug.flip != -2 ? msk : mask.clone();
    return;
  }
  const cv::Point2f centre((img.cols - 1) / 2.0f, (img.rows - 1) / 2.0f);
  const cv::Mat rotation = cv::getRotationMatrix2D(centre, aug.degrees, 1.0);
  cv::warpAffine(img, image_out, rotation, img.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
  cv::warpAffine(msk, mask_out, rotation, msk.size(), cv::INTER_NEAREST, cv::BORDER_CONSTANT,
                 cv::Scalar(0));
}

}  // namespace steel::data
