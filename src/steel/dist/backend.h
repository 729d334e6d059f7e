// The one switch between the Gloo and NCCL process groups (internal to steel::dist).
#pragma once

#include <chrono>

#include <torch/torch.h>

#include "steel/dist/c10d_compat.h"

namespace steel::dist {

/// What a backend needs to join the group.
struct BackendArgs {
  c10::intrusive_ptr<c10d::Store> store;
  int rank = 0;
  int size = 1;
  torch::Device device = torch::kCPU;
  /// NCCL (device must be CUDA), else Gloo.
  bool nccl = false;
  std::chrono::milliseconds timeout{0};
  /// All ranks on this host: Gloo then talks over loopback, which needs no resolvable host name.
  bool single_host = false;
};

/// NCCL or Gloo, as args.nccl says. The only place that knows which backends were compiled in.
compat::ProcessGroupPtr make_backend(const BackendArgs& args);

/// Defined in backend_gloo.cpp (always built).
compat::ProcessGroupPtr make_gloo_backend(const BackendArgs& args);
/// Defined in backend_nccl.cpp, built only when LibTorch has CUDA (CMake's STEEL_WITH_CUDA).
compat::ProcessGroupPtr make_nccl_backend(const BackendArgs& args);

}  // namespace steel::dist
