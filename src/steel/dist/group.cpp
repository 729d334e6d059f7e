#include "steel/dist/group.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <map>

#include "steel/core/error.h"
#include "steel/core/host.h"
#include "steel/cuda/step_graph.h"
#include "steel/dist/backend.h"
#include "steel/dist/group_impl.h"

namespace steel::dist {
namespace {

std::string message_of(const std::exception& e) {
  // c10::Error::what() carries a C++ backtrace that buries the one line a user needs.
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) return c10_error->what_without_backtrace();
  return e.what();
}

std::string ms(std::chrono::milliseconds t) { return std::to_string(t.count()) + " ms"; }

// Indices of `tensors` grouped by dtype, in order of first appearance, so every rank forms the same groups.
std::vector<std::vector<size_t>> group_by_dtype(const std::vector<torch::Tensor>& tensors) {
  std::vector<std::vector<size_t>> groups;
  std::map<torch::ScalarType, size_t> slot;
  for (size_t i = 0; i < tensors.size(); ++i) {
    TORCH_CHECK(tensors[i].defined(), "steel::dist::Group: tensor ", i, " is undefined");
    const auto [it, added] = slot.emplace(tensors[i].scalar_type(), groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  return groups;
}

torch::Tensor flatten(const std::vector<torch::Tensor>& tensors, const std::vector<size_t>& indices) {
  std::vector<torch::Tensor> flat;
  flat.reserve(indices.size());
  for (size_t i : indices) flat.push_back(tensors[i].reshape({-1}));
  return torch::cat(flat);
}

void unflatten(const torch::Tensor& flat, std::vector<torch::Tensor>& tensors, const std::vector<size_t>& indices) {
  torch::NoGradGuard no_grad;
  int64_t offset = 0;
  for (size_t i : indices) {
    const int64_t n = tensors[i].numel();
    tensors[i].copy_(flat.narrow(0, offset, n).view(tensors[i].sizes()));
    offset += n;
  }
}

}  // namespace

std::string resolve_backend(const std::string& requested, const torch::Device& device) {
  if (requested == "auto") return device.is_cuda() ? "nccl" : "gloo";
  if (requested == "gloo") return requested;
  if (requested == "nccl") {
    if (device.is_cuda()) return requested;
    throw ConfigError("the nccl backend needs a CUDA device, not " + device.str() + "; on the CPU use gloo");
  }
  throw ConfigError("distributed backend '" + requested + "': expected auto, nccl or gloo");
}

void Group::Impl::fail(const std::string& op, const std::exception& cause) {
  const std::string verdict = heartbeat ? heartbeat->diagnose() : std::string("no heartbeat to diagnose");
  throw DistError("[rank " + std::to_string(launch.rank) + "/" + std::to_string(launch.world_size) + " on " +
                  hosts[launch.rank] + "] " + op + " failed (collective timeout " + ms(options.timeout()) +
                  "): " + message_of(cause) + " -- " + verdict);
}

void Group::Impl::wait(const c10::intrusive_ptr<c10d::Work>& work, const std::string& op) {
  try {
    if (cuda::capturing()) {
      // Inside a CUDA graph capture (--cuda-graphs) waiting only orders the current stream after the
      // collective; a timeout would poll the collective's event from the host, which capture forbids.
      work->wait();
    } else {
      compat::wait(work, options.timeout());
    }
  } catch (const std::exception& e) {
    fail(op, e);
  }
}

void Group::Impl::record(const std::string& purpose, std::chrono::steady_clock::time_point start, int64_t calls) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::lock_guard<std::mutex> lock(times_mutex);
  auto& t = times[purpose];
  t.calls += calls;
  t.seconds += seconds;
}

void Group::Impl::run(const std::string& op, const std::function<c10::intrusive_ptr<c10d::Work>()>& issue) {
  count();
  const auto start = std::chrono::steady_clock::now();
  c10::intrusive_ptr<c10d::Work> work;
  try {
    work = issue();
  } catch (const std::exception& e) {
    fail(op, e);
  }
  wait(work, op);
  record(op, start);
}

Group::Group(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Group::~Group() = default;

std::shared_ptr<Group> Group::create(const LaunchInfo& launch, const torch::Device& device,
                                     const GroupOptions& options) {
  TORCH_CHECK(launch.world_size >= 1 && launch.rank >= 0 && launch.rank < launch.world_size,
              "steel::dist::Group: rank ", launch.rank, " is outside world size ", launch.world_size);
  TORCH_CHECK(options.timeout().count() > 0, "steel::dist::Group: timeout must be positive");
  const std::string backend = resolve_backend(options.backend(), device);
  auto impl = std::make_unique<Impl>();
  impl->launch = launch;
  impl->device = device;
  impl->options = options;
  if (launch.world_size == 1) {
    impl->hosts = {host_name()};
    return std::shared_ptr<Group>(new Group(std::move(impl)));
  }

  // A peer that dies mid-send must surface as an exception from c10d, not kill this rank with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  const std::string address = launch.master_addr + ":" + std::to_string(launch.master_port);
  const std::string who = "rank " + std::to_string(launch.rank) + "/" + std::to_string(launch.world_size) +
                          " on " + host_name();
  try {
    impl->store = compat::make_tcp_store(launch.master_addr, launch.master_port, launch.rank == 0,
                                         launch.world_size, options.timeout());
  } catch (const std::exception& e) {
    throw DistError(who + ": rendezvous at " + address + " (launcher " + launch.launcher + ") failed within " +
                    ms(options.timeout()) + ": " + message_of(e) +
                    (launch.rank == 0 ? " -- is the port free?" : " -- is rank 0 running and the port reachable?"));
  }

  impl->hosts.resize(launch.world_size);
  const std::string mine = host_name();
  try {
    impl->store->set("steel/host/" + std::to_string(launch.rank), std::vector<uint8_t>(mine.begin(), mine.end()));
    for (int r = 0; r < launch.world_size; ++r) {
      const auto bytes = impl->store->get("steel/host/" + std::to_string(r));
      impl->hosts[r] = std::string(bytes.begin(), bytes.end());
    }
  } catch (const std::exception& e) {
    throw DistError(who + ": not every rank joined the store at " + address + " within " + ms(options.timeout()) +
                    ": " + message_of(e));
  }

  const auto interval = std::clamp(options.timeout() / 10, std::chrono::milliseconds(100),
                                   std::chrono::milliseconds(5000));
  impl->heartbeat = std::make_unique<Heartbeat>(impl->store, launch.rank, launch.world_size, impl->hosts, address,
                                                interval, impl->collectives);

  BackendArgs args;
  args.store = impl->store;
  args.rank = launch.rank;
  args.size = launch.world_size;
  args.device = device;
  args.timeout = options.timeout();
  args.nccl = backend == "nccl";
  args.single_host = std::all_of(impl->hosts.begin(), impl->hosts.end(), [&](const auto& h) { return h == mine; });
  try {
    impl->pg = make_backend(args);
    // c10d then numbers every collective this group issues (rank 0 seeds the count through the store), which is
    // how collectives issued inside c10d itself, such as the Reducer's bucket rebuild, are counted.
    impl->pg->setSequenceNumberForGroup();
  } catch (const DistError&) {
    throw;
  } catch (const std::exception& e) {
    impl->fail("creating the " + backend + " process group", e);
  }
  impl->backend = backend;
  return std::shared_ptr<Group>(new Group(std::move(impl)));
}

int Group::rank() const { return impl_->launch.rank; }
int Group::size() const { return impl_->launch.world_size; }
int Group::local_rank() const { return impl_->launch.local_rank; }
std::string Group::backend() const { return impl_->backend; }
torch::Device Group::device() const { return impl_->device; }
const GroupOptions& Group::options() const { return impl_->options; }
int Group::ranks_on_host() const {
  const auto& mine = impl_->hosts[impl_->launch.rank];
  return static_cast<int>(std::count(impl_->hosts.begin(), impl_->hosts.end(), mine));
}

int64_t Group::collective_calls() const { return impl_->collectives.load(); }

std::map<std::string, CollectiveTime> Group::collective_times() const {
  std::lock_guard<std::mutex> lock(impl_->times_mutex);
  return impl_->times;
}

void Group::all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& purpose) {
  if (size() == 1 || tensors.empty()) return;
  for (const auto& indices : group_by_dtype(tensors)) {
    const bool in_place = indices.size() == 1 && tensors[indices[0]].is_contiguous();
    std::vector<torch::Tensor> buffer{in_place ? tensors[indices[0]] : flatten(tensors, indices)};
    impl_->run(purpose, [&] { return impl_->pg->allreduce(buffer); });
    if (!in_place) unflatten(buffer[0], tensors, indices);
  }
}

bool Group::any(bool flag) {
  if (size() == 1) return flag;
  std::vector<torch::Tensor> t{torch::full({1}, flag ? 1 : 0, torch::TensorOptions(torch::kInt32).device(device()))};
  impl_->run("any", [&] { return impl_->pg->allreduce(t); });
  return t[0].item<int32_t>() > 0;
}

void Group::broadcast(std::vector<torch::Tensor>& tensors, int root) {
  TORCH_CHECK(root >= 0 && root < size(), "steel::dist::Group::broadcast: root ", root, " is outside world size ",
              size());
  if (size() == 1 || tensors.empty()) return;
  c10d::BroadcastOptions opts;
  opts.rootRank = root;
  for (const auto& indices : group_by_dtype(tensors)) {
    const bool in_place = indices.size() == 1 && tensors[indices[0]].is_contiguous();
    std::vector<torch::Tensor> buffer{in_place ? tensors[indices[0]] : flatten(tensors, indices)};
    impl_->run("broadcast", [&] { return impl_->pg->broadcast(buffer, opts); });
    if (!in_place) unflatten(buffer[0], tensors, indices);
  }
}

std::vector<std::string> Group::all_gather_string(const std::string& value) {
  if (size() == 1) return {value};
  const auto options = torch::TensorOptions(torch::kInt64).device(device());
  std::vector<torch::Tensor> length{torch::full({1}, static_cast<int64_t>(value.size()), options)};
  std::vector<std::vector<torch::Tensor>> lengths{std::vector<torch::Tensor>(size())};
  for (auto& t : lengths[0]) t = torch::empty({1}, options);
  impl_->run("all_gather_string (lengths)", [&] { return impl_->pg->allgather(lengths, length); });

  int64_t longest = 1;
  std::vector<int64_t> sizes(size());
  for (int r = 0; r < size(); ++r) longest = std::max(longest, sizes[r] = lengths[0][r].item<int64_t>());
  auto bytes_cpu = torch::zeros({longest}, torch::kUInt8);
  std::copy(value.begin(), value.end(), bytes_cpu.data_ptr<uint8_t>());
  std::vector<torch::Tensor> bytes{bytes_cpu.to(device())};
  std::vector<std::vector<torch::Tensor>> gathered{std::vector<torch::Tensor>(size())};
  for (auto& t : gathered[0]) t = torch::empty({longest}, bytes[0].options());
  impl_->run("all_gather_string", [&] { return impl_->pg->allgather(gathered, bytes); });

  std::vector<std::string> out(size());
  for (int r = 0; r < size(); ++r) {
    const auto cpu = gathered[0][r].cpu();
    out[r].assign(reinterpret_cast<const char*>(cpu.data_ptr<uint8_t>()), sizes[r]);
  }
  return out;
}

void Group::barrier() {
  if (size() == 1) return;
  impl_->run("barrier", [&] { return impl_->pg->barrier(); });
}

}  // namespace steel::dist
