// The HDF5 shard layout shared by steel_prep (writer), the trainer (reader) and anyone with h5py.
//
// One file per cross-validation fold (fold_<k>.h5) plus test.h5. Per file, with N records:
//   /images          [N,H,W] uint8   grayscale, one record per chunk, Blosc- or gzip-compressed (chunk_codec.h)
//   /masks           [N,H,W] uint8   class bitfield: bit c-1 set where defect class c is present (record_encoding.h)
//   /labels          [N,4]   uint8   1 when the record's mask has class c anywhere
//   /defect_pixels   [N,4]   uint32  number of mask pixels per class
//   /image_id        [N]     string  record id: "<source id>" or "<source id>:<augmentation>"
//   /source_id       [N]     string  the Kaggle image the record comes from ("0002cc93b.jpg")
//   /augmentation    [N]     string  "none", "hflip", "rot+10", ... (see augment.h)
// Root attributes: format_version, split ("fold" or "test"), fold (-1 for test), num_folds,
// height, width, seed, source_csv_crc32 (hex), prep_id (hex), tool_version, record_count.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "steel/data/train_csv.h"

namespace steel::data {

constexpr int kShardFormatVersion = 3;         // 2: prep_id; 3: Blosc chunks (gzip before)
constexpr int kOldestReadableShardFormat = 2;  // version 2 differs only in its always-gzip chunks

/// The root attributes of a shard: what a reader checks before mixing shards.
struct ShardInfo {
  int format_version = kShardFormatVersion;
  std::string split = "fold";  ///< "fold" or "test"
  int fold = -1;               ///< -1 for the test shard
  int num_folds = 0;
  int height = 0;
  int width = 0;
  uint64_t seed = 0;
  std::string source_csv_crc32;
  /// Fingerprint of the whole prep run (options, inputs and the record plan of every split): shards of one
  /// run share it, and only they may be mixed. Same inputs and seed give the same id.
  std::string prep_id;
  std::string tool_version;
  int64_t record_count = 0;
};

/// Per-record metadata (everything but the pixels).
struct RecordMeta {
  std::string image_id;
  std::string source_id;
  std::string augmentation;
  std::array<uint8_t, kNumClasses> labels{};
  std::array<uint32_t, kNumClasses> defect_pixels{};
};

/// File name of a fold shard ("fold_3.h5") or the test shard ("test.h5").
std::string shard_file_name(int fold);

}  // namespace steel::data
