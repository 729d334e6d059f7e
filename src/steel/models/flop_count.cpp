#include "steel/models/flop_count.h"

#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

namespace steel::models {

int64_t count_forward_flops(const std::function<void()>& forward) {
  namespace prof = torch::autograd::profiler;
  torch::profiler::impl::ProfilerConfig config(torch::profiler::impl::ProfilerState::CPU,
                                               /*report_input_shapes=*/true, /*profile_memory=*/false,
                                               /*with_stack=*/false, /*with_flops=*/true);
  prof::enableProfilerLegacy(config);
  try {
    forward();
  } catch (...) {
    prof::disableProfilerLegacy();
    throw;
  }
  auto lists = prof::disableProfilerLegacy();
  int64_t total = 0;
  for (auto& list : lists) {
    for (auto& event : list) total += static_cast<int64_t>(event.flops());
  }
  return total;
}

}  // namespace steel::models
