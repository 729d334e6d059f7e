// The backbone names steel accepts, and the eight the thesis compares (its Figures 55-57), in one place.
#pragma once

#include <string>
#include <vector>

namespace steel::models {

/// Every accepted backbone name: resnet18/34/50/101/152, then efficientnet-b0 ... efficientnet-b7.
std::vector<std::string> backbone_names();

/// The thesis's eight, in its order: resnet34/50/101, efficientnet-b0/b1/b3/b5/b7 (a sweep's default).
const std::vector<std::string>& thesis_backbones();

}  // namespace steel::models
