// fold_<k>/run.json: what a training run was (versions, host, data, configuration) and what it measured, for
// steel_eval, steel_predict and people comparing runs. One schema, written and read here only.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "steel/train/train_options.h"

namespace steel::run {

/// One kind of collective's calls and seconds per training step of the last epoch.
struct CollectiveShare {
  double calls = 0;
  double seconds = 0;
};

struct RunRecord {
  std::string tool = "steel_train";
  std::string version;
  std::string source_revision;
  std::string torch_version;
  std::string compiler;  ///< "versions" object
  std::string hdf5;
  std::string opencv;
  std::string host;
  std::string cpu;
  std::string device;            ///< where it ran ("cuda:0", "cpu")
  std::string device_requested;  ///< --device
  int threads_per_rank = 0;
  int world_size = 0;
  int image_height = 0;  ///< the shards' resolution: what steel_predict resizes raw images to
  int image_width = 0;
  std::string prep_id;  ///< "data" object: which steel_prep run the shards come from
  uint64_t prep_seed = 0;
  std::string source_csv_crc32;
  std::string prep_tool_version;
  int shard_format_version = 0;
  std::string backend;
  int fold = 0;
  bool finished = false;
  double wall_seconds = 0;
  double collectives_per_training_step = 0;
  /// By purpose; gradient buckets' seconds overlap the backward pass.
  std::map<std::string, CollectiveShare> collective_time_per_training_step;
  double loader_wait_seconds = 0;
  int64_t keras_total = 0;  ///< "parameters" object
  int64_t keras_trainable = 0;
  int64_t torch_total = 0;
  int64_t torch_trainable = 0;
  train::TrainOptions config;  ///< as run; data_dir and out_dir absolute (the caller makes them so)
  int64_t global_batch = 0;    ///< config's "batch_size"
  int64_t local_batch = 0;     ///< config's "batch_per_rank"
};

/// A record with this build's facts filled in: tool, version, revision, library versions, host and CPU.
RunRecord new_run_record();

/// The JSON text, keys in the schema's order, two-space indented, ending in a newline.
std::string run_record_json(const RunRecord& record);

/// Writes the record to `path` atomically.
void write_run_record(const std::string& path, const RunRecord& record);

/// Reads a run.json. config.backbone is required; every other field keeps its default when absent (a record of
/// an older steel). Throws steel::DataError naming the file when it cannot be opened or is not a run record.
RunRecord read_run_record(const std::string& path);

}  // namespace steel::run
