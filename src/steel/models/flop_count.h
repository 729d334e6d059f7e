// Counting a forward pass's floating-point operations with LibTorch's profiler (for the model benchmark).
#pragma once

#include <cstdint>
#include <functional>

namespace steel::models {

/// Runs `forward` once under LibTorch's legacy profiler with FLOP counting and returns the sum of the FLOPs it
/// attributes to operators (convolutions and matrix products at 2 per multiply-add, plus elementwise adds and
/// multiplies). Backward passes are not counted by the profiler; callers derive them (about 2x the forward
/// FLOPs of each layer whose weights and inputs need gradients).
int64_t count_forward_flops(const std::function<void()>& forward);

}  // namespace steel::models
