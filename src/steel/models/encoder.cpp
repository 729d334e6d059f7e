#include "steel/models/encoder.h"

#include "steel/models/batch_norm_no_scale.h"

namespace steel::models {

bool is_normalization_layer(const torch::nn::Module& module) {
  return dynamic_cast<const torch::nn::BatchNorm2dImpl*>(&module) != nullptr ||
         dynamic_cast<const BatchNormNoScale2dImpl*>(&module) != nullptr;
}

std::vector<torch::Tensor> EncoderImpl::normalization_parameters() const {
  std::vector<torch::Tensor> out;
  for (const auto& item : named_modules(/*name_prefix=*/"", /*include_self=*/false)) {
    if (!is_normalization_layer(*item.value())) continue;
    for (const auto& p : item.value()->parameters(/*recurse=*/false)) out.push_back(p);
  }
  return out;
}

}  // namespace steel::models
