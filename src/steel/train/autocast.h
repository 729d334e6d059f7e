// Mixed precision: which dtype the forward pass runs in, and the guard that switches LibTorch's autocast on.
#pragma once

#include <string>

#include <torch/torch.h>

namespace steel::train {

enum class AmpMode { kOff, kBf16, kFp16 };

/// "off", "bf16" or "fp16"; anything else throws steel::ConfigError.
AmpMode parse_amp(const std::string& text);
/// Throws steel::ConfigError when `device` cannot run `mode` (fp16 autocast exists for CUDA only).
void check_amp_supported(AmpMode mode, const torch::Device& device);

/// Enables autocast for the device's type for the guard's lifetime (the forward pass and the loss; backward
/// follows the recorded dtypes). Autocast's API changed in LibTorch 2.4; the difference stays in autocast.cpp.
class AutocastGuard {
 public:
  AutocastGuard(AmpMode mode, const torch::Device& device);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
};

}  // namespace steel::train
