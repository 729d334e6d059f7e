#include "steel/models/keras_weights.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include <hdf5.h>

#include "steel/core/atomic_file.h"
#include "steel/core/error.h"
#include "steel/core/hdf5_handle.h"

namespace steel::models {

namespace {

// Keras' HDF5_OBJECT_HEADER_LIMIT: an attribute larger than this does not fit in an object header.
constexpr size_t kMaxAttributeBytes = 64512;
// Marks the file as Keras 2 / TensorFlow: without these Keras assumes a Keras 1 file and converts kernels.
constexpr const char* kKerasVersion = "2.3.1";
constexpr const char* kKerasBackend = "tensorflow";
// Problems listed in one load error; the rest are only counted.
constexpr size_t kMaxReportedProblems = 20;

struct FileDataset {
  std::string path;  // relative to the weights root, e.g. "conv0/conv0/kernel:0"
  std::vector<int64_t> shape;
  bool is_float = false;
};
// Dataset basename ("kernel:0") -> every dataset with that basename inside one layer group.
using LayerContents = std::map<std::string, std::vector<FileDataset>>;

std::string shape_string(const std::vector<int64_t>& shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? "," : "") << shape[i];
  out << "]";
  return out.str();
}

std::vector<std::string> link_names(hid_t group, const std::string& where) {
  H5G_info_t info;
  if (H5Gget_info(group, &info) < 0) throw DataError("cannot list HDF5 group '" + where + "'");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length < 0) throw DataError("cannot read a link name in HDF5 group '" + where + "'");
    std::vector<char> buffer(static_cast<size_t>(length) + 1, '\0');
    H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, buffer.data(), buffer.size(), H5P_DEFAULT);
    names.emplace_back(buffer.data(), static_cast<size_t>(length));
  }
  return names;
}

// Opens `name` in `group` as whatever object it is; invalid for dangling links.
h5::Handle open_object(hid_t group, const std::string& name) {
  return h5::Handle(H5Oopen(group, name.c_str(), H5P_DEFAULT), H5Oclose);
}

FileDataset describe_dataset(hid_t dataset, const std::string& path) {
  FileDataset out;
  out.path = path;
  h5::Handle space(H5Dget_space(dataset), H5Sclose);
  h5::Handle type(H5Dget_type(dataset), H5Tclose);
  if (!space.valid() || !type.valid()) throw DataError("cannot inspect HDF5 dataset '" + path + "'");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw DataError("cannot read the shape of HDF5 dataset '" + path + "'");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  for (hsize_t d : dims) out.shape.push_back(static_cast<int64_t>(d));
  out.is_float = H5Tget_class(type.get()) == H5T_FLOAT;
  return out;
}

// Every dataset below `group`, however deeply nested (Keras nests them as layer/layer/name:0).
void collect_datasets(hid_t group, const std::string& path, LayerContents& out) {
  for (const auto& name : link_names(group, path)) {
    h5::Handle object = open_object(group, name);
    if (!object.valid()) continue;
    const std::string child = path + "/" + name;
    switch (H5Iget_type(object.get())) {
      case H5I_GROUP:
        collect_datasets(object.get(), child, out);
        break;
      case H5I_DATASET:
        out[name].push_back(describe_dataset(object.get(), child));
        break;
      default:
        break;
    }
  }
}

// A file written by Keras' model.save() keeps the weights under /model_weights; save_weights() at the root.
h5::Handle open_weights_root(hid_t file) {
  if (H5Lexists(file, "model_weights", H5P_DEFAULT) > 0) {
    h5::Handle root(H5Gopen2(file, "model_weights", H5P_DEFAULT), H5Gclose);
    if (root.valid()) return root;
  }
  return h5::Handle(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
}

void check_unique(const std::vector<KerasBinding>& bindings) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& b : bindings) {
    TORCH_CHECK(seen.insert({b.layer, b.dataset}).second, "internal error: Keras dataset ", b.layer, "/", b.dataset,
                " is bound twice");
  }
}

torch::Tensor read_dataset(hid_t root, const FileDataset& dataset, const std::string& file) {
  h5::Handle handle(H5Dopen2(root, dataset.path.c_str(), H5P_DEFAULT), H5Dclose);
  torch::Tensor values = torch::empty(dataset.shape, torch::kFloat32);
  if (!handle.valid() ||
      H5Dread(handle.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data_ptr<float>()) < 0) {
    throw DataError("Keras weight file '" + file + "': cannot read dataset '" + dataset.path + "'");
  }
  return values;
}

void write_strings_attribute(hid_t object, const std::string& name, const std::vector<std::string>& values,
                             bool scalar, const std::string& file) {
  size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  if (width * values.size() > kMaxAttributeBytes) {
    throw DataError("Keras weight file '" + file + "': attribute '" + name + "' would exceed the HDF5 header limit");
  }
  std::vector<char> buffer(width * values.size(), '\0');
  for (size_t i = 0; i < values.size(); ++i) std::copy(values[i].begin(), values[i].end(), buffer.begin() + i * width);
  // Fixed-length, null-padded byte strings: what h5py writes for the numpy 'S' arrays Keras stores.
  h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), width);
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  const hsize_t count = values.size();
  h5::Handle space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &count, nullptr), H5Sclose);
  h5::Handle attribute(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attribute.valid() || H5Awrite(attribute.get(), type.get(), buffer.data()) < 0) {
    throw DataError("Keras weight file '" + file + "': cannot write attribute '" + name + "'");
  }
}

void write_dataset(hid_t group, const std::string& name, const torch::Tensor& values, const std::string& file) {
  std::vector<hsize_t> dims(values.sizes().begin(), values.sizes().end());
  h5::Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  h5::Handle dataset(H5Dcreate2(group, name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               H5Dclose);
  if (!dataset.valid() ||
      H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data_ptr<float>()) < 0) {
    throw DataError("Keras weight file '" + file + "': cannot write dataset '" + name + "'");
  }
}

h5::Handle create_group(hid_t parent, const std::string& name, const std::string& file) {
  h5::Handle group(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  if (!group.valid()) throw DataError("Keras weight file '" + file + "': cannot create group '" + name + "'");
  return group;
}

// Bindings grouped by layer, layers in first-seen (forward) order.
std::vector<std::pair<std::string, std::vector<const KerasBinding*>>> by_layer(
    const std::vector<KerasBinding>& bindings) {
  std::vector<std::pair<std::string, std::vector<const KerasBinding*>>> layers;
  std::map<std::string, size_t> index;
  for (const auto& b : bindings) {
    auto [it, inserted] = index.emplace(b.layer, layers.size());
    if (inserted) layers.push_back({b.layer, {}});
    layers[it->second].second.push_back(&b);
  }
  return layers;
}

// The whole file is built in memory (HDF5's core driver, no backing store) and returned as bytes, so that
// writing it to disk is steel's own atomic write: HDF5 never sees a failing disk, which otherwise leaves a
// half-written file open inside the library (and crashed the process at exit in a test).
std::string file_image(const std::vector<KerasBinding>& bindings, const std::string& file) {
  h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl.valid() || H5Pset_fapl_core(fapl.get(), 1 << 20, /*backing_store=*/0) < 0) {
    throw DataError("cannot set up an in-memory HDF5 file for '" + file + "'");
  }
  h5::Handle handle(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
  if (!handle.valid()) throw DataError("cannot create Keras weight file '" + file + "'");
  const auto layers = by_layer(bindings);
  std::vector<std::string> layer_names;
  for (const auto& layer : layers) layer_names.push_back(layer.first);
  write_strings_attribute(handle.get(), "layer_names", layer_names, /*scalar=*/false, file);
  write_strings_attribute(handle.get(), "keras_version", {kKerasVersion}, /*scalar=*/true, file);
  write_strings_attribute(handle.get(), "backend", {kKerasBackend}, /*scalar=*/true, file);
  for (const auto& [layer, members] : layers) {
    h5::Handle outer = create_group(handle.get(), layer, file);
    h5::Handle inner = create_group(outer.get(), layer, file);
    std::vector<std::string> weight_names;
    for (const KerasBinding* b : members) {
      weight_names.push_back(layer + "/" + b->dataset);
      write_dataset(inner.get(), b->dataset, to_keras_layout(*b), file);
    }
    write_strings_attribute(outer.get(), "weight_names", weight_names, /*scalar=*/false, file);
  }
  if (H5Fflush(handle.get(), H5F_SCOPE_GLOBAL) < 0) throw DataError("cannot finish Keras weight file '" + file + "'");
  const ssize_t size = H5Fget_file_image(handle.get(), nullptr, 0);
  std::string bytes(size > 0 ? static_cast<std::size_t>(size) : 0, '\0');
  if (size <= 0 || H5Fget_file_image(handle.get(), bytes.data(), bytes.size()) != size) {
    throw DataError("cannot finish Keras weight file '" + file + "'");
  }
  return bytes;
}

// A weight file opened for loading, with every layer group that holds datasets, in file order (weightless
// groups, Keras' activations and pooling, are left out). `root` is declared after `file`, so it closes first.
struct WeightFile {
  h5::Handle file;
  h5::Handle root;
  std::vector<std::pair<std::string, LayerContents>> layers;
};

WeightFile open_weight_file(const std::string& path) {
  h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.valid()) throw DataError("cannot open Keras weight file '" + path + "' (missing, or not HDF5)");
  h5::Handle root = open_weights_root(file.get());
  if (!root.valid()) throw DataError("cannot open the root group of Keras weight file '" + path + "'");
  std::vector<std::pair<std::string, LayerContents>> layers;
  for (const auto& name : link_names(root.get(), path)) {
    h5::Handle object = open_object(root.get(), name);
    if (!object.valid() || H5Iget_type(object.get()) != H5I_GROUP) continue;
    LayerContents contents;
    collect_datasets(object.get(), name, contents);
    if (!contents.empty()) layers.emplace_back(name, std::move(contents));
  }
  return WeightFile{std::move(file), std::move(root), std::move(layers)};
}

// Every missing, unexpected, ambiguous or misshapen dataset, in binding order then file order. `sources`
// receives, for each binding, the dataset it loads from; entries of bindings with a problem stay null.
std::vector<std::string> match_bindings(const std::vector<KerasBinding>& bindings, const WeightFile& file,
                                        const KerasLoadOptions& options, std::vector<const FileDataset*>& sources) {
  std::map<std::string, const LayerContents*> file_index;
  for (const auto& [name, contents] : file.layers) file_index[name] = &contents;

  std::vector<std::string> problems;
  sources.assign(bindings.size(), nullptr);
  std::set<std::string> model_layers;
  std::set<std::pair<std::string, std::string>> bound;
  for (size_t i = 0; i < bindings.size(); ++i) {
    const KerasBinding& b = bindings[i];
    bound.insert({b.layer, b.dataset});
    const bool first_of_layer = model_layers.insert(b.layer).second;
    const auto layer = file_index.find(b.layer);
    if (layer == file_index.end()) {
      if (first_of_layer) problems.push_back("missing layer '" + b.layer + "'");
      continue;
    }
    const std::string where = b.layer + "/" + b.dataset;
    const auto found = layer->second->find(b.dataset);
    if (found == layer->second->end()) {
      problems.push_back("missing dataset '" + where + "'");
      continue;
    }
    if (found->second.size() > 1) {
      problems.push_back("ambiguous dataset '" + where + "': layer group holds " +
                         std::to_string(found->second.size()) + " datasets of that name");
      continue;
    }
    const FileDataset& dataset = found->second.front();
    const std::vector<int64_t> expected = keras_shape(b);
    if (!dataset.is_float) {
      problems.push_back("dataset '" + dataset.path + "' is not floating-point");
    } else if (dataset.shape != expected) {
      problems.push_back("shape mismatch for '" + where + "': file has " + shape_string(dataset.shape) +
                         ", model expects " + shape_string(expected) + " (Keras axis order)");
    } else {
      sources[i] = &dataset;
    }
  }
  for (const auto& [name, contents] : file.layers) {
    if (model_layers.count(name) == 0) {
      if (!options.allow_unexpected()) problems.push_back("unexpected layer '" + name + "'");
      continue;
    }
    for (const auto& item : contents) {
      if (bound.count({name, item.first}) == 0) {
        problems.push_back("unexpected dataset '" + name + "/" + item.first + "'");
      }
    }
  }
  return problems;
}

// "<heading> (N problems):" and the problems one per line, the first kMaxReportedProblems of them: another
// backbone's file can produce hundreds, and the first lines already show what kind of mismatch it is.
std::string problem_report(const std::string& heading, const std::vector<std::string>& problems) {
  std::string message = heading + " (" + std::to_string(problems.size()) + " problem" +
                        (problems.size() == 1 ? "" : "s") + "):";
  const size_t shown = std::min(problems.size(), kMaxReportedProblems);
  for (size_t i = 0; i < shown; ++i) message += "\n  " + problems[i];
  if (problems.size() > shown) message += "\n  ... and " + std::to_string(problems.size() - shown) + " more";
  return message;
}

// Loads `model` from `file` strictly (up to `options`), or throws DataError(problem_report(heading, ...))
// with the model unchanged.
void load_bindings(const KerasMappable& model, const WeightFile& file, const std::string& path,
                   const KerasLoadOptions& options, const std::string& heading) {
  const std::vector<KerasBinding> bindings = model.keras_bindings();
  check_unique(bindings);
  std::vector<const FileDataset*> sources;
  const std::vector<std::string> problems = match_bindings(bindings, file, options, sources);
  if (!problems.empty()) throw DataError(problem_report(heading, problems));

  // Read everything before touching the model, so a read error cannot leave it half loaded.
  std::vector<torch::Tensor> values;
  values.reserve(bindings.size());
  for (size_t i = 0; i < bindings.size(); ++i) {
    values.push_back(from_keras_layout(bindings[i].transform, read_dataset(file.root.get(), *sources[i], path)));
  }
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < bindings.size(); ++i) bindings[i].tensor.copy_(values[i]);
}

}  // namespace

void load_keras_weights(const KerasMappable& model, const std::string& path, const KerasLoadOptions& options) {
  h5::QuietErrors quiet;
  const WeightFile file = open_weight_file(path);
  load_bindings(model, file, path, options, "Keras weight file '" + path + "' does not match the model");
}

void load_pretrained_weights(const UNetImpl& model, const std::string& path, const std::string& backbone) {
  h5::QuietErrors quiet;
  const WeightFile file = open_weight_file(path);
  // The file's own layer names decide the reading, not a failed first attempt: trying the U-Net first and
  // falling back to the encoder buried a U-Net file's one real fault under its decoder layers, which the
  // encoder reading reports as unexpected.
  std::set<std::string> encoder_layers;
  for (const auto& b : model.encoder().keras_bindings()) encoder_layers.insert(b.layer);
  std::set<std::string> unet_only_layers;  // decoder_stage0a_conv ... final_conv, as save_keras_weights names them
  for (const auto& b : model.keras_bindings()) {
    if (encoder_layers.count(b.layer) == 0) unet_only_layers.insert(b.layer);
  }
  const bool whole_unet = std::any_of(file.layers.begin(), file.layers.end(),
                                      [&](const auto& layer) { return unet_only_layers.count(layer.first) > 0; });
  const std::string heading =
      "Keras weight file '" + path + "' " +
      (whole_unet ? "has U-Net decoder or head layers but does not load as a " + backbone + " U-Net file"
                  : "has no decoder or head layers but does not load as a " + backbone + " encoder file");
  // Strict either way: ResNet-34's layers are a superset of ResNet-18's, so tolerating extra layers would
  // let another backbone's weights load silently.
  if (whole_unet) {
    load_bindings(model, file, path, {}, heading);
  } else {
    load_bindings(model.encoder(), file, path, {}, heading);
  }
}

void save_keras_weights(const KerasMappable& model, const std::string& path) {
  const std::vector<KerasBinding> bindings = model.keras_bindings();
  check_unique(bindings);
  std::string bytes;
  {
    h5::QuietErrors quiet;
    bytes = file_image(bindings, path);
  }
  // Temporary file, fsync, rename: a full disk or a kill mid-write leaves the previous best.h5 intact.
  write_file_atomically(path, bytes);
}

}  // namespace steel::models
