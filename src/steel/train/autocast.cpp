#include "steel/train/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "steel/core/error.h"

// LibTorch 2.4 replaced the per-device setters (set_enabled, set_cpu_enabled, set_autocast_*_dtype) with
// set_autocast_enabled(device_type, ...) / set_autocast_dtype(device_type, ...).
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define STEEL_AUTOCAST_BY_DEVICE_TYPE 1
#endif

namespace steel::train {
namespace {

void set_autocast(bool cuda, bool enabled, at::ScalarType dtype) {
#ifdef STEEL_AUTOCAST_BY_DEVICE_TYPE
  const auto type = cuda ? at::kCUDA : at::kCPU;
  at::autocast::set_autocast_dtype(type, dtype);
  at::autocast::set_autocast_enabled(type, enabled);
#else
  if (cuda) {
    at::autocast::set_autocast_gpu_dtype(dtype);
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
}

}  // namespace

AmpMode parse_amp(const std::string& text) {
  if (text == "off") return AmpMode::kOff;
  if (text == "bf16") return AmpMode::kBf16;
  if (text == "fp16") return AmpMode::kFp16;
  throw ConfigError("--amp '" + text + "': expected off, bf16 or fp16");
}

void check_amp_supported(AmpMode mode, const torch::Device& device) {
  if (mode == AmpMode::kFp16 && !device.is_cuda()) {
    throw ConfigError("--amp fp16 needs a CUDA device (LibTorch's CPU autocast runs bf16 only); use --amp bf16");
  }
}

AutocastGuard::AutocastGuard(AmpMode mode, const torch::Device& device) {
  if (mode == AmpMode::kOff) return;
  active_ = true;
  cuda_ = device.is_cuda();
  set_autocast(cuda_, true, mode == AmpMode::kBf16 ? at::kBFloat16 : at::kHalf);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  // The cast cache holds low-precision copies of the weights for one forward pass; drop it when leaving.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast(cuda_, false, cuda_ ? at::kHalf : at::kBFloat16);
}

}  // namespace steel::train
