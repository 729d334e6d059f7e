#include "steel/train/device.h"

#include <algorithm>

#include <c10/core/impl/DeviceGuardImplInterface.h>

#include "steel/core/error.h"
#include "steel/train/device_name.h"

namespace steel::train {

torch::Device resolve_device(const std::string& name, int local_rank) {
  check_device_name(name);
  const bool cuda = torch::cuda::is_available();
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda" && !cuda) throw ConfigError("--device cuda: this LibTorch has no CUDA or no GPU is visible");
  if (name == "cuda" || (name == "auto" && cuda)) {
    const auto count = static_cast<int>(torch::cuda::device_count());
    return {torch::kCUDA, static_cast<c10::DeviceIndex>(local_rank % std::max(1, count))};
  }
  return torch::kCPU;
}

torch::Tensor to_device(const torch::Tensor& tensor, const torch::Device& device, bool channels_last) {
  auto out = tensor.to(device, /*non_blocking=*/true);
  return channels_last ? out.contiguous(at::MemoryFormat::ChannelsLast) : out;
}

void to_channels_last(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  for (auto& p : model.parameters()) {
    if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
  }
}

void make_current(const torch::Device& device) {
  if (device.is_cuda()) c10::impl::getDeviceGuardImpl(device.type())->setDevice(device);
}

}  // namespace steel::train
