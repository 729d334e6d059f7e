// Batch normalisation whose batch statistics span all ranks (SyncBatchNorm) for LibTorch's C++ API.
#pragma once

#include <memory>

#include <torch/torch.h>

#include "steel/dist/group.h"

namespace steel::dist {

/// Training-mode batch norm of `x` [N,C,...] with mean and variance over the batches of all ranks, so that
/// N ranks with local batch B normalise exactly as one process with batch N*B. `weight` may be undefined
/// (no scale); `bias` may be undefined (no shift). Updates `running_mean` and `running_var` in place with
/// `momentum` (PyTorch convention) using the unbiased global variance, as PyTorch's SyncBatchNorm does.
///
/// Forward: one all-reduce of per-channel (sum, sum of squares, count). Backward: one all-reduce of the
/// per-channel (sum dy, sum dy*(x-mean)). The gradients of weight and bias are this rank's own; GradientSync
/// averages them like any other parameter. Statistics are accumulated in float64 whatever x's dtype.
/// Written as a torch::autograd::Function because PyTorch's SyncBatchNorm kernels (batch_norm_stats,
/// batch_norm_gather_stats_with_counts, ...) exist for CUDA only.
torch::Tensor sync_batch_norm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                              torch::Tensor& running_mean, torch::Tensor& running_var, double momentum, double eps,
                              Group& group);

/// Installs sync_batch_norm as the training-mode forward of every steel::models::BatchNorm2d and
/// BatchNormNoScale2d in `model` (they keep their eval-mode forward). The layers hold `group`. With a
/// 1-rank group nothing is installed: plain BatchNorm computes the same thing. Returns the number of
/// layers hooked.
int enable_sync_batch_norm(torch::nn::Module& model, std::shared_ptr<Group> group);

}  // namespace steel::dist
