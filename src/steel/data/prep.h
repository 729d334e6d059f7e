// steel_prep's library half: Kaggle CSV + JPEGs -> validated, balanced, split HDF5 fold shards.
#pragma once

#include <cstdint>
#include <string>

#include "steel/data/chunk_codec.h"
#include "steel/data/split.h"
#include "steel/data/train_csv.h"

namespace steel::data {

struct PrepOptions {
  std::string csv;          ///< train.csv in either Kaggle format
  std::string images_dir;   ///< folder of <ImageId> JPEGs
  std::string out_dir;      ///< created atomically; must not exist unless `overwrite`
  SplitOptions split;       ///< test set, balancing, folds, seed
  int height = 128;         ///< stored resolution (thesis: half of 256x1600)
  int width = 800;
  OnError on_error = OnError::kFail;
  int threads = 0;          ///< 0 = every core
  ChunkCompression compression;  ///< how the pixel chunks are stored (Blosc by default; gzip for plugin-free readers)
  bool overwrite = false;
};

/// What a run produced, for the caller and the tests.
struct PrepResult {
  int64_t records = 0;
  int64_t source_images = 0;   ///< images decoded
  int64_t skipped_rows = 0;    ///< CSV problems skipped (--on-error skip)
  int64_t skipped_images = 0;  ///< images that were missing or undecodable (--on-error skip)
  std::string summary;         ///< the human-readable table also written to summary.txt
};

/// Runs the whole preparation. Writes OUT/fold_<k>.h5, OUT/test.h5, OUT/manifest.csv and
/// OUT/summary.txt into "<OUT>.partial" and renames it to OUT only when everything succeeded.
PrepResult run_prep(const PrepOptions& options);

}  // namespace steel::data
