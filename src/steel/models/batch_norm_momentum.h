// Overriding the BatchNorm running-average momentum of a built model (the Keras-derived 0.01 needs long runs).
#pragma once

#include <torch/torch.h>

namespace steel::models {

/// Sets the momentum (PyTorch convention: the new batch statistic's weight) of every BatchNorm layer in
/// `model`. The thesis' Keras layers use 0.01, so the running statistics that validation uses need a few
/// hundred steps to settle; short runs (smoke tests, the CPU demo) converge with PyTorch's 0.1.
/// Returns the number of layers changed.
int set_batch_norm_momentum(torch::nn::Module& model, double momentum);

}  // namespace steel::models
