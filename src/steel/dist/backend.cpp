#include "steel/dist/backend.h"

#include "steel/core/error.h"

namespace steel::dist {

compat::ProcessGroupPtr make_backend(const BackendArgs& args) {
  if (!args.nccl) return make_gloo_backend(args);
#if STEEL_DIST_WITH_NCCL
  return make_nccl_backend(args);
#else
  throw DistError("device " + args.device.str() + " needs the NCCL backend, but steel was built against a " +
                  "CPU-only LibTorch; rebuild against a CUDA LibTorch or train on the CPU");
#endif
}

}  // namespace steel::dist
