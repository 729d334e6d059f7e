// StepGraph on ATen's CUDAGraph (the C++ side of torch.cuda.graph), following PyTorch's whole-network capture
// recipe: warm up on a side stream, capture on it, replay on the current stream.
#include "steel/cuda/step_graph.h"

#include <c10/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGraphsC10Utils.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

namespace steel::cuda {

bool graphs_supported() { return true; }

bool capturing() {
  if (!torch::cuda::is_available()) return false;
  return c10::cuda::currentStreamCaptureStatusMayInitCtx() != c10::cuda::CaptureStatus::None;
}

struct StepGraph::Impl {
  explicit Impl(torch::Device device)
      : stream(c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device.index())) {}
  c10::cuda::CUDAStream stream;
  at::cuda::CUDAGraph graph;
  bool captured = false;

  // Runs `fn` with the side stream current, ordered after everything queued on the caller's stream and before
  // anything the caller queues next.
  void on_side_stream(const std::function<void()>& fn) {
    const auto caller = c10::cuda::getCurrentCUDAStream(stream.device_index());
    c10::cuda::CUDAEvent before;
    before.record(caller);
    before.block(stream);
    {
      c10::cuda::CUDAStreamGuard guard(stream);
      fn();
    }
    c10::cuda::CUDAEvent after;
    after.record(stream);
    after.block(caller);
  }
};

StepGraph::StepGraph(torch::Device device) : impl_(std::make_unique<Impl>(device)) {}
StepGraph::~StepGraph() = default;

void StepGraph::run_eager(const std::function<void()>& fn) { impl_->on_side_stream(fn); }

void StepGraph::capture(const std::function<void()>& step) {
  TORCH_CHECK(!impl_->captured, "StepGraph: the step is already captured");
  impl_->on_side_stream([&] {
    // Thread-local capture: the prefetcher's threads keep pinning host memory while the step is recorded,
    // which global capture mode would forbid process-wide.
    impl_->graph.capture_begin({0, 0}, cudaStreamCaptureModeThreadLocal);
    try {
      step();
    } catch (...) {
      // End the capture so that the stream is usable for the error's clean-up, then report the first error.
      try {
        impl_->graph.capture_end();
      } catch (...) {
      }
      throw;
    }
    impl_->graph.capture_end();
  });
  impl_->captured = true;
}

void StepGraph::replay() {
  TORCH_CHECK(impl_->captured, "StepGraph: replay() before capture()");
  impl_->graph.replay();
}

bool StepGraph::captured() const { return impl_->captured; }

}  // namespace steel::cuda
