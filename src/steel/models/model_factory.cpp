#include "steel/models/model_factory.h"

#include "steel/core/error.h"
#include "steel/core/strings.h"
#include "steel/models/efficientnet_encoder.h"
#include "steel/models/resnet_encoder.h"

namespace steel::models {

namespace {

constexpr int kResNetDepths[] = {18, 34, 50, 101, 152};
constexpr int kEfficientNetVariants = 8;
const std::string kResNetPrefix = "resnet";
const std::string kEfficientNetPrefix = "efficientnet-b";

}  // namespace

std::vector<std::string> backbone_names() {
  std::vector<std::string> names;
  for (int depth : kResNetDepths) names.push_back(kResNetPrefix + std::to_string(depth));
  for (int b = 0; b < kEfficientNetVariants; ++b) names.push_back(kEfficientNetPrefix + std::to_string(b));
  return names;
}

const std::vector<std::string>& thesis_backbones() {
  static const std::vector<std::string> kThesis{"resnet34",        "resnet50",        "resnet101",
                                                "efficientnet-b0", "efficientnet-b1", "efficientnet-b3",
                                                "efficientnet-b5", "efficientnet-b7"};
  return kThesis;
}

std::shared_ptr<EncoderImpl> make_encoder(const std::string& backbone, const UNetOptions& options) {
  for (int depth : kResNetDepths) {
    if (backbone == kResNetPrefix + std::to_string(depth)) {
      return std::make_shared<ResNetEncoderImpl>(ResNetEncoderOptions::for_depth(depth));
    }
  }
  for (int b = 0; b < kEfficientNetVariants; ++b) {
    if (backbone == kEfficientNetPrefix + std::to_string(b)) {
      return std::make_shared<EfficientNetEncoderImpl>(
          EfficientNetEncoderOptions::variant(b).drop_connect_rate(options.drop_connect_rate()));
    }
  }
  throw ConfigError("unknown backbone '" + backbone + "'; expected one of: " + join(backbone_names(), ", "));
}

UNet make_unet(const std::string& backbone, const UNetOptions& options) {
  return UNet(make_encoder(backbone, options), options);
}

}  // namespace steel::models
