// Every difference between LibTorch 1.13 and 2.x in the c10d API steel uses, behind one set of functions.
#pragma once

// Internal to steel::dist: includes c10d, which public headers must not.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>
#include <torch/version.h>

#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
#endif

namespace steel::dist::compat {

// 1.13: ProcessGroupGloo/NCCL *are* ProcessGroups. 2.x: they are c10d::Backend and a ProcessGroup wraps them.
#if TORCH_VERSION_MAJOR >= 2
using BackendPtr = c10::intrusive_ptr<c10d::Backend>;
#else
using BackendPtr = c10::intrusive_ptr<c10d::ProcessGroup>;
#endif
using ProcessGroupPtr = c10::intrusive_ptr<c10d::ProcessGroup>;

/// Rank 0 serves, the others connect; blocks until all `world_size` ranks have connected or `timeout`.
c10::intrusive_ptr<c10d::Store> make_tcp_store(const std::string& host, int port, bool is_server, int world_size,
                                               std::chrono::milliseconds timeout);

/// The ProcessGroup that Reducer and the collectives take, around a backend; `nccl` says which backend it
/// is (2.x registers backends per device type: NCCL for CUDA tensors, Gloo for CPU and CUDA tensors).
ProcessGroupPtr wrap_backend(BackendPtr backend, const c10::intrusive_ptr<c10d::Store>& store, int rank, int size,
                             bool nccl, std::chrono::milliseconds timeout);

/// c10d::Reducer with DDP's defaults: no unused-parameter search, gradients copied (not bucket views).
std::unique_ptr<c10d::Reducer> make_reducer(std::vector<at::Tensor> params,
                                            std::vector<std::vector<size_t>> bucket_indices,
                                            std::vector<size_t> per_bucket_size_limits, ProcessGroupPtr pg,
                                            int64_t bucket_bytes_cap, int64_t first_bucket_bytes_cap);

/// Waits for `work`; throws what the backend threw, or on timeout.
void wait(const c10::intrusive_ptr<c10d::Work>& work, std::chrono::milliseconds timeout);

}  // namespace steel::dist::compat
