// The StepGraph of a LibTorch without CUDA: nothing can be captured, and the trainer refuses --cuda-graphs
// before it gets here.
#include "steel/cuda/step_graph.h"

#include "steel/core/error.h"

namespace steel::cuda {

bool graphs_supported() { return false; }
bool capturing() { return false; }

struct StepGraph::Impl {};

StepGraph::StepGraph(torch::Device) {
  throw ConfigError("CUDA graphs need a CUDA build of steel (this one is built against a LibTorch without CUDA)");
}
StepGraph::~StepGraph() = default;
void StepGraph::run_eager(const std::function<void()>&) {}
void StepGraph::capture(const std::function<void()>&) {}
void StepGraph::replay() {}
bool StepGraph::captured() const { return false; }

}  // namespace steel::cuda
