// Several shards of one steel_prep run read as one list of records (the training folds, or one fold alone).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "steel/data/shard_reader.h"

namespace steel::loader {

/// The fold shards of a prep folder opened for one cross-validation fold: training = every fold but `fold`,
/// validation = `fold`. Opening checks that all shards come from the same prep run (format version, fold
/// count, image size, seed, source CSV) and throws steel::DataError naming the file that differs.
class ShardSet {
 public:
  /// Opens `paths` in order; record i of the set is record i - offset of the shard that holds it.
  explicit ShardSet(const std::vector<std::string>& paths);

  int64_t size() const { return total_; }
  int height() const { return info().height; }
  int width() const { return info().width; }
  /// The first shard's attributes (all agree on what matters).
  const data::ShardInfo& info() const { return readers_.front()->info(); }
  /// The attributes of shard s (in the order of `paths`).
  const data::ShardInfo& shard_info(std::size_t s) const { return readers_.at(s)->info(); }
  /// (shard, index within it) of record i.
  std::pair<const data::ShardReader*, int64_t> locate(int64_t i) const;
  const std::vector<std::string>& paths() const { return paths_; }

 private:
  std::vector<std::string> paths_;
  std::vector<std::unique_ptr<data::ShardReader>> readers_;
  std::vector<int64_t> offsets_;  ///< offsets_[s] = first record of shard s
  int64_t total_ = 0;
};

/// The training and validation sets of fold `fold` of the prep folder `data_dir`. Reads every fold_<k>.h5 the
/// first shard's num_folds attribute promises; a missing one is a DataError.
struct FoldData {
  std::unique_ptr<ShardSet> train;
  std::unique_ptr<ShardSet> val;
  int num_folds = 0;
};
FoldData open_fold(const std::string& data_dir, int fold);

/// The number of folds a prep folder holds (from fold_0.h5's attributes); DataError if there is none.
int count_folds(const std::string& data_dir);

}  // namespace steel::loader
