// Makes every rank start from rank 0's model, and checks that they did.
#pragma once

#include <torch/torch.h>

#include "steel/dist/group.h"

namespace steel::dist {

/// Overwrites every parameter and buffer of `module` (running statistics and num_batches_tracked
/// included) with rank 0's values: one broadcast per dtype. Every rank must have built the same
/// architecture. Call it once after construction (and after loading weights on rank 0 only, if so).
void broadcast_module_state(torch::nn::Module& module, Group& group);

/// Compares a float64 checksum of every parameter and buffer across ranks (one all-reduce) and throws
/// steel::DistError listing the ranks whose replica differs from rank 0's. The checksum is order-sensitive,
/// so swapped values are caught too; bitwise-equal replicas always agree.
void verify_replicas(const torch::nn::Module& module, Group& group);

}  // namespace steel::dist
