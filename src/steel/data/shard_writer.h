// Writes one HDF5 shard from records whose pixels were already compressed on worker threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "steel/data/chunk_codec.h"
#include "steel/data/shard_format.h"

namespace steel::data {

/// A record ready to write: metadata plus the image and mask chunks, compressed by chunk_codec.h in
/// exactly the form the shard's HDF5 filter stores.
struct EncodedRecord {
  RecordMeta meta;
  std::vector<uint8_t> image_chunk;
  std::vector<uint8_t> mask_chunk;
};

/// Whether this machine's HDF5 decodes Blosc chunks by itself (the Blosc filter plugin is installed). steel
/// reads its shards either way; h5py and the HDF5 tools on this machine need the plugin.
bool hdf5_has_blosc_plugin();

/// Writes `records` to `path` atomically: into "<path>.tmp", then rename. Object timestamps are
/// off, so the same records give a byte-identical file. `compression` must be the one the chunks were
/// compressed with: it names the filter that reads them. Throws DataError naming the file.
void write_shard(const std::string& path, const ShardInfo& info, const std::vector<EncodedRecord>& records,
                 const ChunkCompression& compression);

}  // namespace steel::data
