#include "keras_h5_test_file.h"

#include <stdexcept>
#include <vector>

#include <hdf5.h>

namespace steel::testing {

namespace {

hid_t open_or_create_group(hid_t parent, const std::string& name) {
  if (H5Lexists(parent, name.c_str(), H5P_DEFAULT) > 0) return H5Gopen2(parent, name.c_str(), H5P_DEFAULT);
  return H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

}  // namespace

KerasH5Writer::KerasH5Writer(const std::string& path, const std::string& root) {
  file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file_ < 0) throw std::runtime_error("cannot create " + path);
  root_ = root.empty() ? H5Gopen2(file_, "/", H5P_DEFAULT) : H5Gcreate2(file_, root.c_str(), H5P_DEFAULT,
                                                                        H5P_DEFAULT, H5P_DEFAULT);
}

KerasH5Writer::~KerasH5Writer() { close(); }

void KerasH5Writer::close() {
  if (root_ >= 0) H5Gclose(root_);
  if (file_ >= 0) H5Fclose(file_);
  root_ = file_ = -1;
}

void KerasH5Writer::write(const std::string& layer, const std::string& dataset, const torch::Tensor& keras_values,
                          bool nested) {
  const torch::Tensor values = keras_values.to(torch::kFloat32).contiguous();
  hid_t outer = open_or_create_group(root_, layer);
  hid_t group = nested ? open_or_create_group(outer, layer) : outer;
  std::vector<hsize_t> dims(values.sizes().begin(), values.sizes().end());
  hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t ds = H5Dcreate2(group, dataset.c_str(), H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (ds < 0) throw std::runtime_error("cannot create dataset " + layer + "/" + dataset);
  H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data_ptr<float>());
  H5Dclose(ds);
  H5Sclose(space);
  if (nested) H5Gclose(group);
  H5Gclose(outer);
}

void KerasH5Writer::add_weightless_layer(const std::string& layer) { H5Gclose(open_or_create_group(root_, layer)); }

torch::Tensor read_h5_dataset(const std::string& path, const std::string& dataset) {
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) throw std::runtime_error("cannot open " + path);
  hid_t ds = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  if (ds < 0) {
    H5Fclose(file);
    throw std::runtime_error("no dataset " + dataset + " in " + path);
  }
  hid_t space = H5Dget_space(ds);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  std::vector<int64_t> shape(dims.begin(), dims.end());
  torch::Tensor out = torch::empty(shape, torch::kFloat32);
  H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data_ptr<float>());
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(file);
  return out;
}

bool h5_path_exists(const std::string& path, const std::string& object) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // a missing intermediate group is an answer here, not an error
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return false;
  const htri_t exists = H5Lexists(file, object.c_str(), H5P_DEFAULT);
  H5Fclose(file);
  return exists > 0;
}

bool h5_root_has_attribute(const std::string& path, const std::string& name) {
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return false;
  const htri_t exists = H5Aexists(file, name.c_str());
  H5Fclose(file);
  return exists > 0;
}

}  // namespace steel::testing
