// Loads and saves weights in the Keras HDF5 layout: published Keras weights and steel checkpoints load alike.
#pragma once

#include <string>

#include <torch/torch.h>

#include "steel/models/keras_layout.h"
#include "steel/models/unet.h"

namespace steel::models {

/// Options for `load_keras_weights`.
struct KerasLoadOptions {
  /// Accept layers in the file that the model lacks, e.g. an ImageNet classifier's `fc1`, or the decoder
  /// layers of a full U-Net file loaded into an encoder alone. Missing layers and shape mismatches still fail.
  TORCH_ARG(bool, allow_unexpected) = false;
};

/// Copies the weights in `path` into `model`. The file holds one top-level group per Keras layer
/// (`conv0`, `stage1_unit1_bn1`, `block1a_dwconv`, `decoder_stage0a_conv`, `final_conv`, ...; a full-model
/// file's `model_weights` group is used when present) with datasets `kernel:0`, `bias:0`,
/// `depthwise_kernel:0`, `gamma:0`, `beta:0`, `moving_mean:0`, `moving_variance:0`, either directly in the
/// layer group or nested as Keras writes them (`conv0/conv0/kernel:0`). Groups without datasets (Keras'
/// activation, pooling and add layers) are ignored. Conv kernels are converted from HWIO to OIHW and
/// depthwise kernels from (kh,kw,C,1) to (C,1,kh,kw).
/// Every missing layer or dataset, unexpected layer or dataset and shape mismatch is collected first and
/// reported in one steel::DataError (the first 20 listed, the rest counted as "... and N more"); the model is
/// left unchanged when that happens.
void load_keras_weights(const KerasMappable& model, const std::string& path, const KerasLoadOptions& options = {});

/// Convenience for module holders: load_keras_weights(unet, "weights.h5").
template <typename ModuleType>
void load_keras_weights(const torch::nn::ModuleHolder<ModuleType>& model, const std::string& path,
                        const KerasLoadOptions& options = {}) {
  load_keras_weights(*model, path, options);
}

/// Loads a `--pretrained` file into `model`, a U-Net built for `backbone` (the name is only used in messages).
/// The file's layer names decide how it is read: with any of the U-Net's decoder or head layers
/// (`decoder_stage0a_conv`, ..., `final_conv`) it is a whole U-Net file (a steel best.h5) and must match all of
/// `model`; without them it is an encoder file (the Keras libraries' "no top" ImageNet weights) and must
/// match `model.encoder()`, leaving the decoder and head as initialised. Either reading is strict, so another
/// backbone's weights are an error. Throws steel::DataError saying which reading was used ("... as a resnet34
/// U-Net file" / "... as a resnet34 encoder file") and listing the problems as load_keras_weights does.
void load_pretrained_weights(const UNetImpl& model, const std::string& path, const std::string& backbone);

inline void load_pretrained_weights(const UNet& model, const std::string& path, const std::string& backbone) {
  load_pretrained_weights(*model, path, backbone);
}

/// Writes every parameter and BN moving statistic of `model` in the layout `load_keras_weights` reads, in
/// the nested form Keras' save_weights produces (float32, `layer_names`/`weight_names` attributes), so the
/// file also loads in Keras with load_weights(path, by_name=True). The file is built in memory and written with
/// write_file_atomically (temporary file, fsync, rename), so a crash or a full disk never leaves a truncated
/// file under the final name. Throws steel::DataError on I/O failure.
void save_keras_weights(const KerasMappable& model, const std::string& path);

template <typename ModuleType>
void save_keras_weights(const torch::nn::ModuleHolder<ModuleType>& model, const std::string& path) {
  save_keras_weights(*model, path);
}

}  // namespace steel::models
