#include "steel/models/encoder_mode.h"

#include "steel/core/error.h"
#include "steel/core/strings.h"
#include "steel/models/encoder.h"

namespace steel::models {

namespace {

void set_trainable(const torch::Tensor& parameter, bool trainable) {
  torch::Tensor p = parameter;
  p.set_requires_grad(trainable);
  if (!trainable && p.grad().defined()) p.mutable_grad() = torch::Tensor();
}

}  // namespace

std::vector<std::string> encoder_mode_names() { return {"thesis", "frozen", "trainable"}; }

std::string to_string(EncoderMode mode) {
  switch (mode) {
    case EncoderMode::kThesis: return "thesis";
    case EncoderMode::kFrozen: return "frozen";
    case EncoderMode::kTrainable: return "trainable";
  }
  return "unknown";
}

EncoderMode parse_encoder_mode(const std::string& text) {
  if (text == "thesis") return EncoderMode::kThesis;
  if (text == "frozen") return EncoderMode::kFrozen;
  if (text == "trainable") return EncoderMode::kTrainable;
  throw ConfigError("unknown encoder mode '" + text + "'; expected one of: " + join(encoder_mode_names(), ", "));
}

void apply_encoder_mode(EncoderImpl& encoder, EncoderMode mode) {
  for (const auto& item : encoder.named_modules(/*name_prefix=*/"", /*include_self=*/true)) {
    const bool trainable = mode == EncoderMode::kTrainable ||
                           (mode == EncoderMode::kThesis && is_normalization_layer(*item.value()));
    for (const auto& p : item.value()->parameters(/*recurse=*/false)) set_trainable(p, trainable);
  }
}

}  // namespace steel::models
