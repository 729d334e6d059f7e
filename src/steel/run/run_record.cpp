#include "steel/run/run_record.h"

#include <fstream>

#include <torch/version.h>
#include <nlohmann/json.hpp>

#include "steel/core/atomic_file.h"
#include "steel/core/build_info.h"
#include "steel/core/error.h"
#include "steel/core/host.h"
#include "steel/core/library_versions.h"
#include "steel/core/version.h"

namespace steel::run {
namespace {

using Json = nlohmann::ordered_json;

// The schema: every field's place in the JSON document, in the document's order. The writer and the reader both
// walk this list, so a key is spelled once. `visit(pointer, member)` gets a JSON pointer and the member.
template <typename Record, typename Visit>
void visit_fields(Record& r, Visit&& visit) {
  visit("/tool", r.tool);
  visit("/version", r.version);
  visit("/source_revision", r.source_revision);
  visit("/torch_version", r.torch_version);
  visit("/versions/compiler", r.compiler);
  visit("/versions/hdf5", r.hdf5);
  visit("/versions/opencv", r.opencv);
  visit("/host", r.host);
  visit("/cpu", r.cpu);
  visit("/device", r.device);
  visit("/device_requested", r.device_requested);
  visit("/threads_per_rank", r.threads_per_rank);
  visit("/world_size", r.world_size);
  visit("/image_height", r.image_height);
  visit("/image_width", r.image_width);
  visit("/data/prep_id", r.prep_id);
  visit("/data/prep_seed", r.prep_seed);
  visit("/data/source_csv_crc32", r.source_csv_crc32);
  visit("/data/prep_tool_version", r.prep_tool_version);
  visit("/data/shard_format_version", r.shard_format_version);
  visit("/backend", r.backend);
  visit("/fold", r.fold);
  visit("/finished", r.finished);
  visit("/wall_seconds", r.wall_seconds);
  visit("/collectives_per_training_step", r.collectives_per_training_step);
  visit("/collective_time_per_training_step", r.collective_time_per_training_step);
  visit("/loader_wait_seconds", r.loader_wait_seconds);
  visit("/parameters/keras_total", r.keras_total);
  visit("/parameters/keras_trainable", r.keras_trainable);
  visit("/parameters/torch_total", r.torch_total);
  visit("/parameters/torch_trainable", r.torch_trainable);
  auto& o = r.config;
  visit("/config/backbone", o.backbone);
  visit("/config/data_dir", o.data_dir);
  visit("/config/out_dir", o.out_dir);
  visit("/config/config_file", o.config_file);
  visit("/config/epochs", o.epochs);
  visit("/config/batch_size", r.global_batch);
  visit("/config/batch_per_rank", r.local_batch);
  visit("/config/lr", o.lr);
  visit("/config/beta1", o.beta1);
  visit("/config/beta2", o.beta2);
  visit("/config/adam_eps", o.adam_eps);
  visit("/config/patience", o.patience);
  visit("/config/min_delta", o.min_delta);
  visit("/config/encoder_mode", o.encoder_mode);
  visit("/config/pretrained", o.pretrained);
  visit("/config/bn_momentum", o.bn_momentum);
  visit("/config/flips", o.flips);
  visit("/config/seed", o.seed);
  visit("/config/amp", o.amp);
  visit("/config/channels_last", o.channels_last);
  visit("/config/tf32", o.tf32);
  visit("/config/cuda_graphs", o.cuda_graphs);
  visit("/config/threads", o.threads);
  visit("/config/loader_threads", o.loader_threads);
  visit("/config/prefetch_batches", o.prefetch_batches);
  visit("/config/sync_bn", o.sync_bn);
  visit("/config/dist_backend", o.dist_backend);
  visit("/config/dist_timeout_s", o.dist_timeout_s);
  visit("/config/max_train_batches", o.max_train_batches);
  visit("/config/max_val_batches", o.max_val_batches);
  visit("/config/resume", o.resume);
  visit("/config/tensorboard", o.tensorboard);
}

struct Writer {
  Json& j;
  template <typename T>
  void operator()(const char* pointer, const T& value) {
    j[Json::json_pointer(pointer)] = value;
  }
  void operator()(const char* pointer, const std::map<std::string, CollectiveShare>& shares) {
    auto& object = j[Json::json_pointer(pointer)] = Json::object();  // `{}`, not null, when empty
    for (const auto& [purpose, share] : shares) object[purpose] = {{"calls", share.calls}, {"seconds", share.seconds}};
  }
};

struct Reader {
  const nlohmann::json& j;
  template <typename T>
  void operator()(const char* pointer, T& value) {
    const nlohmann::json::json_pointer at(pointer);
    if (j.contains(at)) j.at(at).get_to(value);
  }
  void operator()(const char* pointer, std::map<std::string, CollectiveShare>& shares) {
    const nlohmann::json::json_pointer at(pointer);
    if (!j.contains(at)) return;
    for (const auto& [purpose, share] : j.at(at).items()) {
      shares[purpose] = {share.at("calls").get<double>(), share.at("seconds").get<double>()};
    }
  }
};

}  // namespace

RunRecord new_run_record() {
  RunRecord r;
  r.version = kVersion;
  r.source_revision = source_revision();
  r.torch_version = TORCH_VERSION;
  r.compiler = compiler_version();
  r.hdf5 = hdf5_version();
  r.opencv = opencv_version();
  r.host = host_name();
  r.cpu = cpu_model();
  return r;
}

std::string run_record_json(const RunRecord& record) {
  Json j = Json::object();
  visit_fields(record, Writer{j});
  return j.dump(2) + "\n";
}

void write_run_record(const std::string& path, const RunRecord& record) {
  write_file_atomically(path, run_record_json(record));
}

RunRecord read_run_record(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw DataError(path + ": cannot open (steel_train writes it next to best.h5)");
  RunRecord record;
  try {
    const auto j = nlohmann::json::parse(in);
    if (!j.contains(nlohmann::json::json_pointer("/config/backbone"))) {
      throw std::invalid_argument("it names no config.backbone");
    }
    visit_fields(record, Reader{j});
  } catch (const std::exception& e) {
    throw DataError(path + ": not a steel_train run record: " + e.what());
  }
  return record;
}

}  // namespace steel::run
