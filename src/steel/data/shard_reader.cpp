#include "steel/data/shard_reader.h"

#include <cstring>
#include <filesystem>

#include "steel/core/hdf5_handle.h"

namespace steel::data {
namespace {

bool has_attr(hid_t obj, const char* name) { return H5Aexists(obj, name) > 0; }

int64_t read_attr_int(hid_t obj, const char* name, const std::string& path) {
  if (!has_attr(obj, name)) throw DataError(path + ": missing attribute '" + name + "'; not a steel shard?");
  h5::Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  int64_t value = 0;
  h5::check(H5Aread(attr, H5T_NATIVE_INT64, &value), path, std::string("read attribute ") + name);
  return value;
}

std::string read_attr_string(hid_t obj, const char* name, const std::string& path) {
  if (!has_attr(obj, name)) throw DataError(path + ": missing attribute '" + name + "'; not a steel shard?");
  h5::Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  h5::Handle type(H5Aget_type(attr), H5Tclose);
  const std::size_t size = H5Tget_size(type);
  std::string value(size, '\0');
  if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) > 0) {
    throw DataError(path + ": attribute '" + name + "' is not a fixed-length string");
  }
  h5::check(H5Aread(attr, type, value.data()), path, std::string("read attribute ") + name);
  value.resize(std::strlen(value.c_str()));
  return value;
}

h5::Handle open_dataset(hid_t file, const char* name, const std::string& path, int rank,
                        std::vector<hsize_t>& dims) {
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) throw DataError(path + ": dataset '/" + std::string(name) + "' is missing");
  h5::Handle dset(h5::check(H5Dopen2(file, name, H5P_DEFAULT), path, std::string("open /") + name), H5Dclose);
  h5::Handle space(H5Dget_space(dset), H5Sclose);
  const int actual = H5Sget_simple_extent_ndims(space);
  if (actual != rank) {
    throw DataError(path + ": dataset '/" + std::string(name) + "' has rank " + std::to_string(actual) +
                    ", expected " + std::to_string(rank));
  }
  dims.assign(static_cast<std::size_t>(rank), 0);
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dset;
}

std::vector<std::string> read_strings(hid_t file, const char* name, const std::string& path, hsize_t n) {
  std::vector<hsize_t> dims;
  h5::Handle dset = open_dataset(file, name, path, 1, dims);
  if (dims[0] != n) {
    throw DataError(path + ": dataset '/" + std::string(name) + "' has " + std::to_string(dims[0]) +
                    " entries but /images has " + std::to_string(n) + " records");
  }
  std::vector<std::string> out(n);
  if (n == 0) return out;
  h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  std::vector<char*> raw(n, nullptr);
  h5::check(H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), path, std::string("read /") + name);
  for (hsize_t i = 0; i < n; ++i) out[i] = raw[i] != nullptr ? raw[i] : "";
  h5::Handle space(H5Dget_space(dset), H5Sclose);
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, raw.data());
  return out;
}

template <typename T>
std::vector<T> read_table(hid_t file, const char* name, hid_t mem_type, const std::string& path, hsize_t n) {
  std::vector<hsize_t> dims;
  h5::Handle dset = open_dataset(file, name, path, 2, dims);
  if (dims[0] != n || dims[1] != kNumClasses) {
    throw DataError(path + ": dataset '/" + std::string(name) + "' has shape [" + std::to_string(dims[0]) + "," +
                    std::to_string(dims[1]) + "], expected [" + std::to_string(n) + ",4]");
  }
  std::vector<T> out(n * kNumClasses);
  if (n > 0) {
    h5::check(H5Dread(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), path, std::string("read /") + name);
  }
  return out;
}

// The codec is the dataset's own declaration, not an attribute of ours: it is what h5py and the HDF5 tools
// decode with too, and it covers version-2 shards (always gzip) and pixels rewritten by other HDF5 writers.
ChunkCodec dataset_codec(hid_t dataset, const std::string& path, const std::string& name) {
  h5::Handle dcpl(H5Dget_create_plist(dataset), H5Pclose);
  const int n = H5Pget_nfilters(dcpl);
  std::string found = "no compression filter";
  if (n == 1) {
    unsigned flags = 0, config = 0;
    std::size_t nvalues = 0;
    char filter_name[64] = {};
    const H5Z_filter_t id =
        H5Pget_filter2(dcpl, 0, &flags, &nvalues, nullptr, sizeof filter_name, filter_name, &config);
    if (id == H5Z_FILTER_DEFLATE) return ChunkCodec::kGzip;
    if (id == kBloscHdf5Filter) return ChunkCodec::kBlosc;
    found = "HDF5 filter " + std::to_string(id) + " (" + filter_name + ")";
  } else if (n > 1) {
    found = std::to_string(n) + " filters in a row";
  }
  throw DataError(path + ": dataset '/" + name + "' uses " + found +
                  "; steel reads one Blosc (32001) or one gzip (deflate) filter, as steel_prep writes");
}

}  // namespace

struct ShardReader::Handles {
  h5::Handle file;
  h5::Handle images;
  h5::Handle masks;
};

ShardReader::ShardReader(const std::string& path) : path_(path), h_(std::make_unique<Handles>()) {
  h5::silence_errors();
  if (!std::filesystem::exists(path)) throw DataError(path + ": shard file does not exist");
  if (H5Fis_hdf5(path.c_str()) <= 0) throw DataError(path + ": not an HDF5 file (truncated or corrupt?)");
  h_->file = h5::Handle(h5::check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "open the file"),
                        H5Fclose);
  info_.format_version = static_cast<int>(read_attr_int(h_->file, "format_version", path));
  if (info_.format_version < kOldestReadableShardFormat || info_.format_version > kShardFormatVersion) {
    throw DataError(path + ": shard format version " + std::to_string(info_.format_version) +
                    ", this build reads versions " + std::to_string(kOldestReadableShardFormat) + " to " +
                    std::to_string(kShardFormatVersion) + "; rerun steel_prep");
  }
  info_.split = read_attr_string(h_->file, "split", path);
  info_.fold = static_cast<int>(read_attr_int(h_->file, "fold", path));
  info_.num_folds = static_cast<int>(read_attr_int(h_->file, "num_folds", path));
  info_.height = static_cast<int>(read_attr_int(h_->file, "height", path));
  info_.width = static_cast<int>(read_attr_int(h_->file, "width", path));
  info_.seed = static_cast<uint64_t>(read_attr_int(h_->file, "seed", path));
  info_.source_csv_crc32 = read_attr_string(h_->file, "source_csv_crc32", path);
  info_.prep_id = read_attr_string(h_->file, "prep_id", path);
  info_.tool_version = read_attr_string(h_->file, "tool_version", path);
  info_.record_count = read_attr_int(h_->file, "record_count", path);

  std::vector<hsize_t> dims, mdims;
  h_->images = open_dataset(h_->file, "images", path, 3, dims);
  h_->masks = open_dataset(h_->file, "masks", path, 3, mdims);
  if (dims != mdims) throw DataError(path + ": /images and /masks have different shapes");
  codec_ = dataset_codec(h_->images, path, "images");
  if (dataset_codec(h_->masks, path, "masks") != codec_) {
    throw DataError(path + ": /images and /masks use different compression filters");
  }
  if (static_cast<int>(dims[1]) != info_.height || static_cast<int>(dims[2]) != info_.width) {
    throw DataError(path + ": /images is " + std::to_string(dims[1]) + "x" + std::to_string(dims[2]) +
                    " but the attributes say " + std::to_string(info_.height) + "x" + std::to_string(info_.width));
  }
  const hsize_t n = dims[0];
  if (static_cast<int64_t>(n) != info_.record_count) {
    throw DataError(path + ": /images holds " + std::to_string(n) + " records but record_count says " +
                    std::to_string(info_.record_count) + " (truncated write?)");
  }
  const auto labels = read_table<uint8_t>(h_->file, "labels", H5T_NATIVE_UINT8, path, n);
  const auto pixels = read_table<uint32_t>(h_->file, "defect_pixels", H5T_NATIVE_UINT32, path, n);
  const auto ids = read_strings(h_->file, "image_id", path, n);
  const auto sources = read_strings(h_->file, "source_id", path, n);
  const auto augs = read_strings(h_->file, "augmentation", path, n);
  meta_.resize(n);
  for (hsize_t i = 0; i < n; ++i) {
    auto& m = meta_[i];
    m.image_id = ids[i];
    m.source_id = sources[i];
    m.augmentation = augs[i];
    for (int c = 0; c < kNumClasses; ++c) {
      m.labels[c] = labels[i * kNumClasses + c];
      m.defect_pixels[c] = pixels[i * kNumClasses + c];
    }
  }
}

ShardReader::~ShardReader() = default;
ShardReader::ShardReader(ShardReader&&) noexcept = default;
ShardReader& ShardReader::operator=(ShardReader&&) noexcept = default;

namespace {
StoredChunk read_chunk(hid_t dset, int64_t i, int64_t n, const std::string& path, const char* what) {
  if (i < 0 || i >= n) {
    throw DataError(path + ": record " + std::to_string(i) + " out of range (" + std::to_string(n) + " records)");
  }
  const hsize_t offset[3] = {static_cast<hsize_t>(i), 0, 0};
  hsize_t bytes = 0;
  if (H5Dget_chunk_storage_size(dset, offset, &bytes) < 0 || bytes == 0) {
    throw DataError(path + ": " + what + " chunk of record " + std::to_string(i) + " is missing");
  }
  StoredChunk out;
  out.bytes.resize(bytes);
  uint32_t filter_mask = 0;
  h5::check(H5Dread_chunk(dset, H5P_DEFAULT, offset, &filter_mask, out.bytes.data()), path,
            std::string("read ") + what + " chunk of record " + std::to_string(i));
  out.filtered = (filter_mask & 1U) == 0;  // bit 0: the first (our only) filter was skipped
  return out;
}
}  // namespace

StoredChunk ShardReader::read_image_chunk(int64_t i) const {
  return read_chunk(h_->images, i, size(), path_, "image");
}

StoredChunk ShardReader::read_mask_chunk(int64_t i) const {
  return read_chunk(h_->masks, i, size(), path_, "mask");
}

void ShardReader::decompress(const StoredChunk& chunk, uint8_t* out, int64_t record) const {
  const std::size_t expected = static_cast<std::size_t>(info_.height) * static_cast<std::size_t>(info_.width);
  const std::string where = path_ + ": record " + std::to_string(record);
  if (!chunk.filtered) {
    if (chunk.bytes.size() != expected) {
      throw DataError(where + " has an unfiltered chunk of " + std::to_string(chunk.bytes.size()) + " bytes, expected " +
                      std::to_string(expected));
    }
    std::memcpy(out, chunk.bytes.data(), expected);
    return;
  }
  decompress_chunk(codec_, chunk.bytes.data(), chunk.bytes.size(), out, expected, where);
}

void ShardReader::read_record(int64_t i, uint8_t* image, uint8_t* mask) const {
  decompress(read_image_chunk(i), image, i);
  decompress(read_mask_chunk(i), mask, i);
}

}  // namespace steel::data
