// Writes one HDF5 shard from records whose pixels were already compressed on worker threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "steel/data/shard_format.h"

namespace steel::data {

/// A record ready to write: metadata plus the image and mask chunks, each a zlib stream in
/// exactly the form HDF5's deflate filter stores (see compress_chunk).
struct EncodedRecord {
  RecordMeta meta;
  std::vector<uint8_t> image_chunk;
  std::vector<uint8_t> mask_chunk;
};

/// Compresses `size` bytes into the zlib stream HDF5's deflate filter expects. Thread-safe, so
/// steel_prep runs it on every core and the HDF5 writer (one thread) only copies bytes.
std::vector<uint8_t> compress_chunk(const uint8_t* data, std::size_t size, int level);

/// The same for a mask chunk (mostly long runs of 0): zlib's run-length strategy, several times faster than
/// compress_chunk on such data for the same size. Any zlib reader (HDF5, h5py) inflates it.
std::vector<uint8_t> compress_mask_chunk(const uint8_t* data, std::size_t size, int level);

/// Writes `records` to `path` atomically: into "<path>.tmp", then rename. Object timestamps are
/// off, so the same records give a byte-identical file. Throws DataError naming the file.
void write_shard(const std::string& path, const ShardInfo& info,
                 const std::vector<EncodedRecord>& records, int deflate_level);

}  // namespace steel::data
