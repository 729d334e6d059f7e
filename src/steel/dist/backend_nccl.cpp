// Compiled only against a CUDA LibTorch (CMake's STEEL_WITH_CUDA, which also defines USE_C10D_NCCL here).
#include <c10/cuda/CUDAGuard.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>

#include "steel/dist/backend.h"

namespace steel::dist {

compat::ProcessGroupPtr make_nccl_backend(const BackendArgs& args) {
  // NCCL binds its communicator to the current device; one GPU per local rank.
  c10::cuda::CUDAGuard guard(args.device);
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = args.timeout;
  auto backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(args.store, args.rank, args.size, options);
  return compat::wrap_backend(backend, args.store, args.rank, args.size, /*nccl=*/true, args.timeout);
}

}  // namespace steel::dist
