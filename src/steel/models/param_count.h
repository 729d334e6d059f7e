// Parameter counts in both conventions, Keras (model.summary()) and PyTorch (parameters()), for the thesis' Figure 56.
#pragma once

#include <cstdint>

#include <torch/torch.h>

#include "steel/models/unet.h"

namespace steel::models {

struct ParamCounts {
  /// Keras "Total params": every parameter plus BatchNorm moving mean and variance.
  int64_t keras_total = 0;
  /// Keras "Trainable params" of sm.Unet(..., encoder_freeze=True), i.e. under EncoderMode::kThesis: all
  /// decoder and head parameters plus the encoder's normalisation gamma/beta. For count_parameters(UNetImpl)
  /// this does not depend on the model's current mode; moving statistics are never trainable in Keras.
  int64_t keras_trainable = 0;
  /// Sum of parameters() sizes (no buffers).
  int64_t torch_total = 0;
  /// Parameters that require grad under the model's current encoder mode.
  int64_t torch_trainable = 0;
};

/// Counts a U-Net. keras_trainable is derived from the layer structure (which parameters kThesis would
/// train), torch_trainable from requires_grad, so the two agree exactly when the model is in kThesis mode.
ParamCounts count_parameters(const UNetImpl& model);

/// Counts any module, e.g. an encoder alone. keras_trainable == torch_trainable (from requires_grad).
ParamCounts count_module_parameters(const torch::nn::Module& module);

}  // namespace steel::models
