// Reads one HDF5 shard: its attributes, per-record metadata and pixels (see shard_format.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "steel/data/shard_format.h"

namespace steel::data {

/// Read access to one shard file. Metadata is loaded at open; pixels on demand.
/// Reading raw chunks and inflating them are separate steps so callers can decompress on
/// their own threads: HDF5 serialises its calls behind one global lock, zlib does not.
class ShardReader {
 public:
  /// Opens and checks the file: format version, dataset presence and shapes. Throws DataError
  /// naming the file and what is missing or inconsistent.
  explicit ShardReader(const std::string& path);
  ~ShardReader();
  ShardReader(ShardReader&&) noexcept;
  ShardReader& operator=(ShardReader&&) noexcept;

  const std::string& path() const { return path_; }
  const ShardInfo& info() const { return info_; }
  int64_t size() const { return static_cast<int64_t>(meta_.size()); }
  const RecordMeta& meta(int64_t i) const { return meta_.at(static_cast<std::size_t>(i)); }

  /// The stored (compressed) bytes of record i's image or mask chunk.
  std::vector<uint8_t> read_image_chunk(int64_t i) const;
  std::vector<uint8_t> read_mask_chunk(int64_t i) const;

  /// Inflates a chunk into `out` (height*width bytes). Thread-safe; throws DataError on corruption.
  void inflate_chunk(const std::vector<uint8_t>& chunk, uint8_t* out, int64_t record) const;

  /// Convenience: read and inflate record i into two height*width buffers.
  void read_record(int64_t i, uint8_t* image, uint8_t* mask) const;

 private:
  struct Handles;
  std::string path_;
  ShardInfo info_;
  std::vector<RecordMeta> meta_;
  std::unique_ptr<Handles> h_;
};

}  // namespace steel::data
