#include "steel/loader/shard_set.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "steel/core/error.h"
#include "steel/data/shard_format.h"

namespace steel::loader {
namespace fs = std::filesystem;

namespace {

// The attributes that must agree for records of different shards to belong to one dataset.
void check_same_run(const data::ShardInfo& first, const std::string& first_path, const data::ShardInfo& other,
                    const std::string& other_path) {
  std::ostringstream why;
  if (other.format_version != first.format_version) {
    why << "format_version " << other.format_version << " vs " << first.format_version;
  } else if (other.num_folds != first.num_folds) {
    why << "num_folds " << other.num_folds << " vs " << first.num_folds;
  } else if (other.height != first.height || other.width != first.width) {
    why << "image size " << other.height << "x" << other.width << " vs " << first.height << "x" << first.width;
  } else if (other.seed != first.seed) {
    why << "prep seed " << other.seed << " vs " << first.seed;
  } else if (other.source_csv_crc32 != first.source_csv_crc32) {
    why << "source CSV crc32 " << other.source_csv_crc32 << " vs " << first.source_csv_crc32;
  } else if (other.prep_id != first.prep_id) {
    // Same CSV and seed but other prep options (balancing, test set, clean images) plan other folds, and
    // mixing them can put one image in both training and validation.
    why << "prep_id " << other.prep_id << " vs " << first.prep_id;
  } else {
    return;
  }
  throw DataError(other_path + ": comes from a different steel_prep run than " + first_path + " (" + why.str() +
                  "); prepare all shards in one run");
}

}  // namespace

ShardSet::ShardSet(const std::vector<std::string>& paths) : paths_(paths) {
  if (paths.empty()) throw DataError("ShardSet: no shard files given");
  for (const auto& p : paths) {
    readers_.push_back(std::make_unique<data::ShardReader>(p));
    check_same_run(readers_.front()->info(), paths.front(), readers_.back()->info(), p);
    offsets_.push_back(total_);
    total_ += readers_.back()->size();
  }
}

std::pair<const data::ShardReader*, int64_t> ShardSet::locate(int64_t i) const {
  if (i < 0 || i >= total_) throw std::out_of_range("ShardSet: record " + std::to_string(i) + " out of range");
  const auto it = std::upper_bound(offsets_.begin(), offsets_.end(), i);
  const auto s = static_cast<std::size_t>(it - offsets_.begin() - 1);
  return {readers_[s].get(), i - offsets_[s]};
}

int count_folds(const std::string& data_dir) {
  const auto first = (fs::path(data_dir) / data::shard_file_name(0)).string();
  if (!fs::exists(first)) {
    throw DataError(data_dir + ": no " + data::shard_file_name(0) + " here; is this a steel_prep output folder?");
  }
  return data::ShardReader(first).info().num_folds;
}

FoldData open_fold(const std::string& data_dir, int fold) {
  FoldData d;
  d.num_folds = count_folds(data_dir);
  if (d.num_folds < 2) throw DataError(data_dir + ": needs at least 2 folds, has " + std::to_string(d.num_folds));
  if (fold < 0 || fold >= d.num_folds) {
    throw ConfigError("--fold " + std::to_string(fold) + " is out of range: " + data_dir + " has folds 0.." +
                      std::to_string(d.num_folds - 1));
  }
  std::vector<std::string> train_paths;
  std::string val_path;
  for (int k = 0; k < d.num_folds; ++k) {
    const auto p = (fs::path(data_dir) / data::shard_file_name(k)).string();
    if (!fs::exists(p)) throw DataError(p + ": missing (fold_0.h5 says the run has " + std::to_string(d.num_folds) + " folds)");
    (k == fold ? val_path : train_paths.emplace_back()) = p;
  }
  d.train = std::make_unique<ShardSet>(train_paths);
  d.val = std::make_unique<ShardSet>(std::vector<std::string>{val_path});
  // The two sets were checked separately; one more check ties them together.
  check_same_run(d.train->info(), train_paths.front(), d.val->info(), val_path);
  for (int k = 0, t = 0; k < d.num_folds; ++k) {
    const auto& info = k == fold ? d.val->shard_info(0) : d.train->shard_info(t++);
    const auto p = (fs::path(data_dir) / data::shard_file_name(k)).string();
    if (info.split != "fold" || info.fold != k) {
      throw DataError(p + ": its attributes say split '" + info.split + "' fold " + std::to_string(info.fold) +
                      ", expected fold " + std::to_string(k));
    }
  }
  return d;
}

}  // namespace steel::loader
