#include <cstdlib>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

#include "steel/dist/backend.h"

namespace steel::dist {

compat::ProcessGroupPtr make_gloo_backend(const BackendArgs& args) {
  auto options = c10d::ProcessGroupGloo::Options::create(args.timeout);
  // GLOO_SOCKET_IFNAME is Gloo's (and PyTorch's) way to pick the network; without it, a one-host job uses
  // loopback and a multi-host job the address its host name resolves to.
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME")) {
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
  } else if (args.single_host) {
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  } else {
    options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  }
  // Two threads: one bucket's all-reduce can run while the next is queued; more buys nothing on CPU.
  options->threads = 2;
  auto backend = c10::make_intrusive<c10d::ProcessGroupGloo>(args.store, args.rank, args.size, options);
  return compat::wrap_backend(backend, args.store, args.rank, args.size, /*nccl=*/false, args.timeout);
}

}  // namespace steel::dist
