// How one record's pixels become a stored HDF5 chunk and back: the two codecs a shard may use.
//
// steel_prep compresses chunks on its worker threads and hands HDF5 the finished bytes (H5Dwrite_chunk); the
// trainer reads the bytes (H5Dread_chunk) and decompresses on its loader threads. Each dataset still declares
// the standard HDF5 filter that produced its chunks, so h5py and the HDF5 tools read a shard like any other:
//   blosc  Blosc (LZ4 with bit-shuffle), registered HDF5 filter 32001. Several times cheaper to compress than
//          gzip for ~10% more disk (docs/BENCHMARKS.md); readers need the Blosc filter plugin (`import
//          hdf5plugin`, or Debian's hdf5-filter-plugin-blosc-serial, which HDF5 loads by itself).
//   gzip   HDF5's built-in deflate filter: every HDF5 reader opens it with no plugin.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace steel::data {

enum class ChunkCodec { kBlosc, kGzip };

/// The codec and its level, as steel_prep's --compression and --deflate-level set them.
struct ChunkCompression {
  ChunkCodec codec = ChunkCodec::kBlosc;
  int deflate_level = 1;  ///< gzip only (1..9): noisy steel texture gains ~3% from level 4 at 1.6x the CPU
};

/// "blosc" or "gzip".
std::string codec_name(ChunkCodec codec);

/// The codec for a --compression value; throws ConfigError listing the choices.
ChunkCodec parse_codec(const std::string& name);

/// Compresses one image chunk. Thread-safe (per-thread scratch buffers); the result has its exact size.
std::vector<uint8_t> compress_image_chunk(const uint8_t* data, std::size_t size, const ChunkCompression& c);

/// The same for a mask chunk, whose only redundancy is long runs of zero (gzip uses zlib's run-length mode).
std::vector<uint8_t> compress_mask_chunk(const uint8_t* data, std::size_t size, const ChunkCompression& c);

/// The registered id of the Blosc HDF5 filter (github.com/Blosc/hdf5-blosc), which reads kBlosc chunks.
constexpr int kBloscHdf5Filter = 32001;

/// The Blosc filter's parameters for chunks of `chunk_bytes` uint8 values, as compress_*_chunk writes them:
/// filter revision, Blosc format, element size, chunk bytes, level, shuffle mode, compressor.
std::array<unsigned, 7> blosc_filter_parameters(std::size_t chunk_bytes);

/// Decompresses `size` bytes into exactly `expected` bytes at `out`. Thread-safe. Throws DataError starting
/// with `where` when the chunk is corrupt or has the wrong size.
void decompress_chunk(ChunkCodec codec, const uint8_t* data, std::size_t size, uint8_t* out, std::size_t expected,
                      const std::string& where);

}  // namespace steel::data
