// Test support: writes and reads small HDF5 files in the Keras weight layout, independently of steel's own writer.
#pragma once

#include <string>

#include <torch/torch.h>

namespace steel::testing {

/// Creates (truncates) an HDF5 file and writes Keras-style layer groups into it.
class KerasH5Writer {
 public:
  /// `root` is "" for a save_weights() file or "model_weights" for a model.save() file.
  explicit KerasH5Writer(const std::string& path, const std::string& root = "");
  ~KerasH5Writer();
  KerasH5Writer(const KerasH5Writer&) = delete;
  KerasH5Writer& operator=(const KerasH5Writer&) = delete;

  /// Writes `keras_values` (already in Keras axis order) as float32 at layer/dataset, or at
  /// layer/layer/dataset when `nested` (what Keras itself writes).
  void write(const std::string& layer, const std::string& dataset, const torch::Tensor& keras_values,
             bool nested = false);
  /// A layer group without datasets, like Keras' activation or pooling layers.
  void add_weightless_layer(const std::string& layer);
  void close();

 private:
  long file_ = -1;
  long root_ = -1;
};

/// Reads a float dataset ("conv0/conv0/kernel:0") from an HDF5 file; throws std::runtime_error if absent.
torch::Tensor read_h5_dataset(const std::string& path, const std::string& dataset);

/// True when `object` (a group, dataset or attribute holder path) exists in the file.
bool h5_path_exists(const std::string& path, const std::string& object);

/// True when the root group of the file has an attribute called `name`.
bool h5_root_has_attribute(const std::string& path, const std::string& name);

}  // namespace steel::testing
