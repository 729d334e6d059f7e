// Placing a model: --device cpu|cuda|auto as a torch::Device, the current GPU, NHWC parameters; shared by
// steel_train, steel_eval and the step benchmark.
#pragma once

#include <string>

#include <torch/torch.h>

namespace steel::train {

/// "cpu", "cuda" (cuda:<local_rank modulo the visible GPUs>) or "auto" (CUDA when available). "cuda" without a
/// usable GPU throws steel::ConfigError.
torch::Device resolve_device(const std::string& name, int local_rank = 0);

/// Makes a GPU this process's current device (torch.cuda.set_device): what runs outside a tensor's own device
/// guard (NCCL's barrier, new CUDA streams and handles, allocations without a device) then lands on this rank's
/// GPU instead of GPU 0. Nothing for the CPU. Device-generic, so it needs no CUDA headers.
void make_current(const torch::Device& device);

/// A batch tensor on `device` (asynchronously from pinned memory), in NHWC when `channels_last`; a tensor already
/// there in that layout is returned as it is.
torch::Tensor to_device(const torch::Tensor& tensor, const torch::Device& device, bool channels_last);

/// Converts the 4-D parameters of `model` to NHWC (channels-last) in place; the module API has no memory-format
/// `to`.
void to_channels_last(torch::nn::Module& model);

}  // namespace steel::train
