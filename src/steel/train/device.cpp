#include "steel/train/device.h"

#include <algorithm>

#include <c10/core/impl/DeviceGuardImplInterface.h>

#include "steel/core/error.h"

namespace steel::train {

torch::Device resolve_device(const std::string& name, int local_rank) {
  const bool cuda = torch::cuda::is_available();
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda" && !cuda) throw ConfigError("--device cuda: this LibTorch has no CUDA or no GPU is visible");
  if (name == "cuda" || (name == "auto" && cuda)) {
    const auto count = static_cast<int>(torch::cuda::device_count());
    return {torch::kCUDA, static_cast<c10::DeviceIndex>(local_rank % std::max(1, count))};
  }
  if (name != "auto") throw ConfigError("--device '" + name + "': expected cpu, cuda or auto");
  return torch::kCPU;
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
