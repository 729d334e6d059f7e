// Stand-in for LibTorch's torch/csrc/distributed/autograd/context/context.h, which Debian's libtorch-dev
// (1.13.1) does not ship although c10d/reducer.hpp includes it. reducer.hpp needs only the two names below
// (its static_assert pins GradCallback's type). CMake puts this directory on the include path only when
// the real header is missing; LibTorch builds that ship it (pip wheels, the official zip) use theirs.
#pragma once

#include <functional>
#include <memory>

#include <ATen/core/Tensor.h>

namespace torch::distributed::autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};

using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace torch::distributed::autograd
