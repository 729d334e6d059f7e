// The 1.13 branches are what this project builds and tests on CPU machines (Debian's libtorch-dev).
// The TORCH_VERSION_MAJOR >= 2 branches were written from PyTorch 2.x sources (ProcessGroup.hpp,
// Backend.hpp, reducer.hpp, TCPStore.hpp) and are compiled only on the GPU machines, which use a 2.x
// LibTorch; a CPU CI build never sees them.
#include "steel/dist/c10d_compat.h"

#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <string>
#include <type_traits>
#include <unordered_map>

namespace steel::dist::compat {

c10::intrusive_ptr<c10d::Store> make_tcp_store(const std::string& host, int port, bool is_server, int world_size,
                                               std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(port);
  options.isServer = is_server;
  options.numWorkers = static_cast<std::size_t>(world_size);
  options.waitWorkers = true;
  options.timeout = timeout;
#if TORCH_VERSION_MAJOR >= 2
  // 2.4+ serves the store with libuv by default; the classic server is the one 1.13 has and the one the
  // heartbeat and timeout behaviour was tested with. The field exists from 2.2.
#if TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 2
  options.useLibUV = false;
#endif
#endif
  return c10::make_intrusive<c10d::TCPStore>(host, options);
}

ProcessGroupPtr wrap_backend(BackendPtr backend, const c10::intrusive_ptr<c10d::Store>& store, int rank, int size,
                             bool nccl, std::chrono::milliseconds timeout) {
#if TORCH_VERSION_MAJOR >= 2
  const auto type = nccl ? c10d::ProcessGroup::BackendType::NCCL : c10d::ProcessGroup::BackendType::GLOO;
#if TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 6
  // 2.6 dropped ProcessGroup::Options; the timeout lives in the backend's own options.
  (void)timeout;
  auto pg = c10::make_intrusive<c10d::ProcessGroup>(store, rank, size);
  pg->setDefaultBackend(type);
#else
  // 2.0-2.5: the default backend type is const, taken from the options' backend name.
  auto pg = c10::make_intrusive<c10d::ProcessGroup>(
      store, rank, size, c10::make_intrusive<c10d::ProcessGroup::Options>(nccl ? "nccl" : "gloo", timeout));
#endif
  // As init_process_group does: NCCL serves CUDA tensors; Gloo serves CPU tensors and CUDA tensors too.
  if (nccl) {
    pg->setBackend(c10::DeviceType::CUDA, type, backend);
  } else {
    pg->setBackend(c10::DeviceType::CPU, type, backend);
    pg->setBackend(c10::DeviceType::CUDA, type, backend);
  }
  return pg;
#else
  (void)store, (void)rank, (void)size, (void)nccl, (void)timeout;
  return backend;
#endif
}

namespace {

// The Reducer's constructor changed shape twice after 1.13, and the release that did it is not visible in a
// version macro we could trust, so the form is chosen by what compiles (a template, so that the branches not
// taken are never instantiated). The later forms are written from PyTorch main's reducer.hpp and checked only
// against stand-ins of those declarations here; a 2.x GPU build is their first real compile.
template <class R = c10d::Reducer>
std::unique_ptr<R> construct_reducer(std::vector<at::Tensor> params, std::vector<std::vector<size_t>> bucket_indices,
                                     std::vector<size_t> per_bucket_size_limits, ProcessGroupPtr pg,
                                     int64_t bucket_bytes_cap, int64_t first_bucket_bytes_cap) {
  const std::vector<bool> expect_sparse_gradients(params.size(), false);
  using Names = std::unordered_map<size_t, std::string>;
  using Indices = std::vector<std::vector<size_t>>;
  if constexpr (std::is_constructible_v<R, std::vector<at::Tensor>, Indices, std::vector<size_t>, ProcessGroupPtr,
                                        std::vector<bool>, int64_t, bool, bool, Names, int64_t>) {
    // 1.11 to 2.7: per-bucket limits third.
    return std::make_unique<R>(std::move(params), std::move(bucket_indices), std::move(per_bucket_size_limits),
                               std::move(pg), expect_sparse_gradients, bucket_bytes_cap,
                               /*find_unused_parameters=*/false, /*gradient_as_bucket_view=*/false, Names{},
                               first_bucket_bytes_cap);
  } else if constexpr (std::is_constructible_v<R, std::vector<at::Tensor>, Indices, ProcessGroupPtr,
                                               std::vector<bool>, int64_t, bool, bool, Names, int64_t, bool, bool>) {
    // 2.8-era: no limits (the Reducer derives them from the caps); skip_all_reduce_unused_params and
    // use_python_reducer appended.
    return std::make_unique<R>(std::move(params), std::move(bucket_indices), std::move(pg), expect_sparse_gradients,
                               bucket_bytes_cap, false, false, Names{}, first_bucket_bytes_cap,
                               /*skip_all_reduce_unused_params=*/false, /*use_python_reducer=*/false);
  } else {
    // Later: the per-bucket byte caps come back as the last argument (what DDP passes as bucket_bytes_cap_list).
    return std::make_unique<R>(std::move(params), std::move(bucket_indices), std::move(pg), expect_sparse_gradients,
                               bucket_bytes_cap, false, false, Names{}, first_bucket_bytes_cap, false, false,
                               std::vector<int64_t>(per_bucket_size_limits.begin(), per_bucket_size_limits.end()));
  }
}

}  // namespace

std::unique_ptr<c10d::Reducer> make_reducer(std::vector<at::Tensor> params,
                                            std::vector<std::vector<size_t>> bucket_indices,
                                            std::vector<size_t> per_bucket_size_limits, ProcessGroupPtr pg,
                                            int64_t bucket_bytes_cap, int64_t first_bucket_bytes_cap) {
  return construct_reducer(std::move(params), std::move(bucket_indices), std::move(per_bucket_size_limits),
                           std::move(pg), bucket_bytes_cap, first_bucket_bytes_cap);
}

void wait(const c10::intrusive_ptr<c10d::Work>& work, std::chrono::milliseconds timeout) {
  // Work::wait(timeout) throws on timeout in both versions; it returns false only for a Work without one.
  if (!work->wait(timeout)) throw std::runtime_error("collective did not complete");
}

}  // namespace steel::dist::compat
