// One training step as a CUDA graph (--cuda-graphs): warmed up eagerly on a side stream, captured once, then
// replayed with no per-kernel launch cost. The CUDA side lives in step_graph_cuda.cpp; a LibTorch without CUDA
// builds step_graph_none.cpp instead, which says so.
#pragma once

#include <functional>
#include <memory>

#include <torch/torch.h>

namespace steel::cuda {

/// True when this build can capture CUDA graphs (it was built against a CUDA LibTorch).
bool graphs_supported();

/// True while the calling thread's current CUDA stream is being captured: a collective must not block the host
/// then (no timeout polling), and nothing may read a device value.
bool capturing();

/// A captured step. Usage: run_eager(step) a few times (allocations, cuDNN and cuBLAS handles, the Reducer's
/// bucket rebuild all happen here), capture(step) once, then replay() for every later step. `step` reads its
/// inputs from tensors that stay at the same addresses (copy each batch into them) and writes its outputs to
/// tensors the caller keeps; replay() runs exactly the kernels and collectives capture(step) recorded.
class StepGraph {
 public:
  explicit StepGraph(torch::Device device);
  ~StepGraph();
  StepGraph(const StepGraph&) = delete;
  StepGraph& operator=(const StepGraph&) = delete;

  /// Runs `fn` eagerly on the graph's side stream, ordered after and before the current stream's work: the
  /// warm-up steps, and whatever must be set up on the stream the step is captured on.
  void run_eager(const std::function<void()>& fn);
  /// Records `step` into the graph (nothing runs). Other threads may keep using CUDA meanwhile.
  void capture(const std::function<void()>& step);
  /// Runs the recorded step on the current stream.
  void replay();
  bool captured() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace steel::cuda
