// Turning --device cpu|cuda|auto into a torch::Device, shared by steel_train and steel_eval.
#pragma once

#include <string>

#include <torch/torch.h>

namespace steel::train {

/// "cpu", "cuda" (cuda:<local_rank modulo the visible GPUs>) or "auto" (CUDA when available). "cuda" without a
/// usable GPU throws steel::ConfigError.
torch::Device resolve_device(const std::string& name, int local_rank = 0);

}  // namespace steel::train
