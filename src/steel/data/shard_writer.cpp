#include "steel/data/shard_writer.h"

#include <cstdio>
#include <filesystem>

#include "steel/core/hdf5_handle.h"

namespace steel::data {
namespace {

void write_attr_int(hid_t obj, const char* name, int64_t value, const std::string& file) {
  h5::Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  h5::Handle attr(h5::check(H5Acreate2(obj, name, H5T_NATIVE_INT64, space, H5P_DEFAULT, H5P_DEFAULT), file,
                            std::string("create attribute ") + name),
                  H5Aclose);
  h5::check(H5Awrite(attr, H5T_NATIVE_INT64, &value), file, std::string("write attribute ") + name);
}

void write_attr_string(hid_t obj, const char* name, const std::string& value, const std::string& file) {
  h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, value.empty() ? 1 : value.size());
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  H5Tset_cset(type, H5T_CSET_UTF8);
  h5::Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  h5::Handle attr(h5::check(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), file,
                            std::string("create attribute ") + name),
                  H5Aclose);
  h5::check(H5Awrite(attr, type, value.empty() ? "" : value.data()), file, std::string("write attribute ") + name);
}

// Declares the standard HDF5 filter that reads the chunks back, for h5py and the HDF5 tools.
void declare_chunk_filter(hid_t dcpl, std::size_t chunk_bytes, const ChunkCompression& c, const std::string& path) {
  if (c.codec == ChunkCodec::kGzip) {
    h5::check(H5Pset_deflate(dcpl, static_cast<unsigned>(c.deflate_level)), path, "declare the gzip filter");
    return;
  }
  // Optional, as every Blosc writer declares it: HDF5 then accepts the declaration where no plugin is
  // installed (the chunks arrive compressed, so the filter never runs while writing). Only the filter's name
  // in the file depends on whether HDF5 found the plugin.
  const auto values = blosc_filter_parameters(chunk_bytes);
  h5::check(H5Pset_filter(dcpl, kBloscHdf5Filter, H5Z_FLAG_OPTIONAL, values.size(), values.data()), path,
            "declare the Blosc filter");
}

h5::Handle make_dcpl() {
  h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_obj_track_times(dcpl, false);
  return dcpl;
}

void write_pixels(hid_t file_id, const char* name, const ShardInfo& info,
                  const std::vector<EncodedRecord>& records, bool masks, const ChunkCompression& compression,
                  const std::string& path) {
  const auto n = static_cast<hsize_t>(records.size());
  const hsize_t dims[3] = {n, static_cast<hsize_t>(info.height), static_cast<hsize_t>(info.width)};
  const hsize_t maxdims[3] = {H5S_UNLIMITED, dims[1], dims[2]};
  const hsize_t chunk[3] = {1, dims[1], dims[2]};
  h5::Handle space(H5Screate_simple(3, dims, maxdims), H5Sclose);
  // Chunks arrive compressed, so the filter is declared (for readers) but never run here.
  h5::Handle dcpl = make_dcpl();
  H5Pset_chunk(dcpl, 3, chunk);
  declare_chunk_filter(dcpl, static_cast<std::size_t>(dims[1] * dims[2]), compression, path);
  h5::Handle dset(h5::check(H5Dcreate2(file_id, name, H5T_NATIVE_UINT8, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                            path, std::string("create dataset /") + name),
                  H5Dclose);
  for (hsize_t i = 0; i < n; ++i) {
    const auto& bytes = masks ? records[i].mask_chunk : records[i].image_chunk;
    const hsize_t offset[3] = {i, 0, 0};
    h5::check(H5Dwrite_chunk(dset, H5P_DEFAULT, /*filters=*/0, offset, bytes.size(), bytes.data()), path,
              "write chunk " + std::to_string(i) + " of /" + name);
  }
}

// A dataset of `dims` with the metadata tables' creation properties (make_dcpl), written whole afterwards.
h5::Handle create_dataset(hid_t file_id, const char* name, hid_t type, int rank, const hsize_t* dims,
                          const std::string& path) {
  h5::Handle space(H5Screate_simple(rank, dims, nullptr), H5Sclose);
  h5::Handle dcpl = make_dcpl();
  return h5::Handle(h5::check(H5Dcreate2(file_id, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), path,
                              std::string("create dataset /") + name),
                    H5Dclose);
}

template <typename T, std::size_t K>
void write_table(hid_t file_id, const char* name, hid_t mem_type, const std::vector<std::array<T, K>>& rows,
                 const std::string& path) {
  const hsize_t dims[2] = {static_cast<hsize_t>(rows.size()), K};
  h5::Handle dset = create_dataset(file_id, name, mem_type, 2, dims, path);
  if (!rows.empty()) {
    h5::check(H5Dwrite(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), path,
              std::string("write /") + name);
  }
}

void write_strings(hid_t file_id, const char* name, const std::vector<const char*>& values, const std::string& path) {
  const hsize_t dims[1] = {static_cast<hsize_t>(values.size())};
  h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  h5::Handle dset = create_dataset(file_id, name, type, 1, dims, path);
  if (!values.empty()) {
    h5::check(H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), path,
              std::string("write /") + name);
  }
}

}  // namespace

bool hdf5_has_blosc_plugin() {
  h5::silence_errors();
  return H5Zfilter_avail(kBloscHdf5Filter) > 0;  // loads the plugin when HDF5 can find it
}

void write_shard(const std::string& path, const ShardInfo& info, const std::vector<EncodedRecord>& records,
                 const ChunkCompression& compression) {
  h5::silence_errors();
  const std::string tmp = path + ".tmp";
  std::remove(tmp.c_str());
  try {
    h5::Handle fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
    h5::Handle file(h5::check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT), tmp, "create the file"),
                    H5Fclose);
    write_attr_int(file, "format_version", info.format_version, tmp);
    write_attr_string(file, "split", info.split, tmp);
    write_attr_int(file, "fold", info.fold, tmp);
    write_attr_int(file, "num_folds", info.num_folds, tmp);
    write_attr_int(file, "height", info.height, tmp);
    write_attr_int(file, "width", info.width, tmp);
    write_attr_int(file, "seed", static_cast<int64_t>(info.seed), tmp);
    write_attr_string(file, "source_csv_crc32", info.source_csv_crc32, tmp);
    write_attr_string(file, "prep_id", info.prep_id, tmp);
    write_attr_string(file, "tool_version", info.tool_version, tmp);
    write_attr_int(file, "record_count", static_cast<int64_t>(records.size()), tmp);

    write_pixels(file, "images", info, records, /*masks=*/false, compression, tmp);
    write_pixels(file, "masks", info, records, /*masks=*/true, compression, tmp);

    std::vector<std::array<uint8_t, kNumClasses>> labels;
    std::vector<std::array<uint32_t, kNumClasses>> pixels;
    std::vector<const char*> ids, sources, augs;
    for (const auto& r : records) {
      labels.push_back(r.meta.labels);
      pixels.push_back(r.meta.defect_pixels);
      ids.push_back(r.meta.image_id.c_str());
      sources.push_back(r.meta.source_id.c_str());
      augs.push_back(r.meta.augmentation.c_str());
    }
    write_table(file, "labels", H5T_NATIVE_UINT8, labels, tmp);
    write_table(file, "defect_pixels", H5T_NATIVE_UINT32, pixels, tmp);
    write_strings(file, "image_id", ids, tmp);
    write_strings(file, "source_id", sources, tmp);
    write_strings(file, "augmentation", augs, tmp);
    h5::check(H5Fflush(file, H5F_SCOPE_GLOBAL), tmp, "flush");
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw DataError(path + ": cannot rename from " + tmp + ": " + ec.message());
  }
}

}  // namespace steel::data
