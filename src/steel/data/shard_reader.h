// Reads one HDF5 shard: its attributes, per-record metadata and pixels (see shard_format.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "steel/data/chunk_codec.h"
#include "steel/data/shard_format.h"

namespace steel::data {

/// One record's stored chunk, as HDF5 hands it over.
struct StoredChunk {
  std::vector<uint8_t> bytes;
  /// False when HDF5 skipped the dataset's optional filter for this chunk and stored the pixels raw (what an
  /// HDF5 writer without the Blosc plugin does when it rewrites a record).
  bool filtered = true;
};

/// Read access to one shard file. Metadata is loaded at open; pixels on demand.
/// Reading raw chunks and decompressing them are separate steps so callers can decompress on
/// their own threads: HDF5 serialises its calls behind one global lock, Blosc and zlib do not.
class ShardReader {
 public:
  /// Opens and checks the file: format version, dataset presence, shapes and compression filters. Throws
  /// DataError naming the file and what is missing or inconsistent.
  explicit ShardReader(const std::string& path);
  ~ShardReader();
  ShardReader(ShardReader&&) noexcept;
  ShardReader& operator=(ShardReader&&) noexcept;

  const std::string& path() const { return path_; }
  const ShardInfo& info() const { return info_; }
  int64_t size() const { return static_cast<int64_t>(meta_.size()); }
  const RecordMeta& meta(int64_t i) const { return meta_.at(static_cast<std::size_t>(i)); }
  /// The codec of the pixel chunks (both datasets use the same one).
  ChunkCodec codec() const { return codec_; }

  /// The stored (normally compressed) bytes of record i's image or mask chunk.
  StoredChunk read_image_chunk(int64_t i) const;
  StoredChunk read_mask_chunk(int64_t i) const;

  /// Decompresses a chunk of record `record` into `out` (height*width bytes). Thread-safe; throws DataError
  /// naming the file and record on corruption.
  void decompress(const StoredChunk& chunk, uint8_t* out, int64_t record) const;

  /// Convenience: read and decompress record i into two height*width buffers.
  void read_record(int64_t i, uint8_t* image, uint8_t* mask) const;

 private:
  struct Handles;
  std::string path_;
  ShardInfo info_;
  ChunkCodec codec_ = ChunkCodec::kGzip;
  std::vector<RecordMeta> meta_;
  std::unique_ptr<Handles> h_;
};

}  // namespace steel::data
