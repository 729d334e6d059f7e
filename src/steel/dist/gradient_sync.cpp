#include "steel/dist/gradient_sync.h"

#include <algorithm>
#include <chrono>

#include <torch/csrc/distributed/c10d/comm.hpp>

#include "steel/core/error.h"
#include "steel/dist/group_impl.h"

namespace steel::dist {
namespace {

constexpr int64_t kMiB = 1024 * 1024;

// DDP's default all-reduce hook (divide by world size, then sum), plus a count and the time in flight of the
// collectives for Group::collective_calls() and collective_times(). With any hook installed the Reducer leaves
// the division to the hook. Derived from CommHookInterface, not CppCommHookInterface: the latter's
// parseHookResult calls a function that Debian's libtorch does not export.
class CountingAllReduceHook : public c10d::CommHookInterface {
 public:
  explicit CountingAllReduceHook(Group::Impl* group) : group_(group) {}

  c10::intrusive_ptr<c10::ivalue::Future> runHook(c10d::GradBucket& bucket) override {
    std::vector<at::Tensor> tensors{bucket.getBufferRef()};
    tensors[0].div_(group_->launch.world_size);
    group_->count();
    const auto start = std::chrono::steady_clock::now();
    auto future = group_->pg->allreduce(tensors)->getFuture();
    // Timed to completion on the backend's thread: the bucket's time in flight, overlapped with backward. The
    // Reducer waits for the chained future, so the time is recorded before backward returns.
    return future->then(
        [group = group_, start](c10::ivalue::Future& done) {
          group->record("gradient_buckets", start);
          return done.value();
        },
        future->elementType());
  }

  at::Tensor parseHookResult(const c10::IValue& result) override {
    // The Gloo/NCCL future holds the list of all-reduced tensors: ours has one.
    return result.isTensor() ? result.toTensor() : result.toTensorVector().at(0);
  }

 private:
  Group::Impl* group_;
};

}  // namespace

struct GradientSync::Impl {
  std::shared_ptr<Group> group;
  std::vector<torch::Tensor> params;
  std::unique_ptr<c10d::Reducer> reducer;
  int64_t buckets = 0;
};

GradientSync::GradientSync(std::shared_ptr<Group> group, std::vector<torch::Tensor> params,
                           GradientSyncOptions options)
    : impl_(std::make_unique<Impl>()) {
  TORCH_CHECK(group, "GradientSync: group is null");
  TORCH_CHECK(options.bucket_cap_mb() > 0 && options.first_bucket_cap_mb() > 0,
              "GradientSync: bucket caps must be positive, got ", options.bucket_cap_mb(), " and ",
              options.first_bucket_cap_mb(), " MiB");
  impl_->group = std::move(group);
  std::copy_if(params.begin(), params.end(), std::back_inserter(impl_->params),
               [](const torch::Tensor& p) { return p.requires_grad(); });
  if (impl_->group->size() == 1 || impl_->params.empty()) return;

  const auto cap = static_cast<size_t>(options.bucket_cap_mb() * kMiB);
  const auto first_cap = static_cast<size_t>(options.first_bucket_cap_mb() * kMiB);
  auto [buckets, limits] = c10d::compute_bucket_assignment_by_size(impl_->params, {first_cap, cap});
  // Gradients arrive roughly from the last layer to the first, as DDP assumes.
  std::reverse(buckets.begin(), buckets.end());
  std::reverse(limits.begin(), limits.end());
  impl_->buckets = static_cast<int64_t>(buckets.size());
  Group::Impl& g = impl_->group->impl();
  impl_->reducer = compat::make_reducer(impl_->params, std::move(buckets), std::move(limits), g.pg,
                                        static_cast<int64_t>(cap), static_cast<int64_t>(first_cap));
  impl_->reducer->register_comm_hook(std::make_unique<CountingAllReduceHook>(&g));
}

GradientSync::~GradientSync() = default;

void GradientSync::prepare_forward() {
  if (!impl_->reducer) return;
  Group::Impl& g = impl_->group->impl();
  try {
    const auto start = std::chrono::steady_clock::now();
    const auto sequence_before = g.pg->getSequenceNumberForGroup();
    if (impl_->reducer->rebuild_buckets()) {
      // The Reducer broadcasts the new bucket layout itself, past steel's counting; c10d's sequence number says
      // how many collectives that took (two, indices then sizes, in 1.13 and 2.11 alike).
      const auto calls = static_cast<int64_t>(g.pg->getSequenceNumberForGroup() - sequence_before);
      g.count(calls);
      g.record("bucket_rebuild", start, calls);
    }
  } catch (const DistError&) {
    throw;
  } catch (const std::exception& e) {
    g.fail("GradientSync bucket rebuild", e);
  }
  impl_->reducer->prepare_for_forward();
}

void GradientSync::prepare_backward(const torch::Tensor& loss) {
  if (!impl_->reducer) return;
  impl_->reducer->prepare_for_backward({loss});
}

void GradientSync::backward(const torch::Tensor& loss) {
  prepare_backward(loss);
  try {
    loss.backward();
  } catch (const DistError&) {
    throw;
  } catch (const std::exception& e) {
    if (impl_->group->size() == 1) throw;
    impl_->group->impl().fail("backward with gradient all-reduce", e);
  }
}

int64_t GradientSync::num_buckets() const { return impl_->buckets; }

}  // namespace steel::dist
