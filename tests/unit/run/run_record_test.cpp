// run.json is read by users' scripts: its keys, their order and their types are pinned by a literal document.
#include "steel/run/run_record.h"

#include <gtest/gtest.h>

#include "steel/core/atomic_file.h"
#include "steel/core/error.h"
#include "support/temp_dir.h"

namespace steel::run {
namespace {

RunRecord sample() {
  RunRecord r;
  r.version = "0.1.0";
  r.source_revision = "abc1234";
  r.torch_version = "2.11.0";
  r.compiler = "GCC 12.2.0";
  r.hdf5 = "1.10.8";
  r.opencv = "4.6.0";
  r.host = "node7";
  r.cpu = "a CPU";
  r.device = "cpu";
  r.device_requested = "auto";
  r.threads_per_rank = 2;
  r.world_size = 1;
  r.image_height = 64;
  r.image_width = 320;
  r.prep_id = "278cc0c3a828d103";
  r.prep_seed = 1;
  r.source_csv_crc32 = "f2be5c18";
  r.prep_tool_version = "0.1.0";
  r.shard_format_version = 3;
  r.backend = "single";
  r.fold = 1;
  r.finished = true;
  r.wall_seconds = 3.5;
  r.collectives_per_training_step = 0;
  r.loader_wait_seconds = 0.25;
  r.keras_total = 14341005;
  r.keras_trainable = 3160071;
  r.torch_total = 14331079;
  r.torch_trainable = 3160071;
  r.config.backbone = "resnet18";
  r.config.data_dir = "/data/prep";
  r.config.out_dir = "/runs";
  r.config.epochs = 2;
  r.config.flips = true;
  r.config.threads = 1;
  r.config.max_train_batches = 4;
  r.config.max_val_batches = 2;
  r.global_batch = 2;
  r.local_batch = 2;
  return r;
}

constexpr const char* kSampleJson = R"({
  "tool": "steel_train",
  "version": "0.1.0",
  "source_revision": "abc1234",
  "torch_version": "2.11.0",
  "versions": {
    "compiler": "GCC 12.2.0",
    "hdf5": "1.10.8",
    "opencv": "4.6.0"
  },
  "host": "node7",
  "cpu": "a CPU",
  "device": "cpu",
  "device_requested": "auto",
  "threads_per_rank": 2,
  "world_size": 1,
  "image_height": 64,
  "image_width": 320,
  "data": {
    "prep_id": "278cc0c3a828d103",
    "prep_seed": 1,
    "source_csv_crc32": "f2be5c18",
    "prep_tool_version": "0.1.0",
    "shard_format_version": 3
  },
  "backend": "single",
  "fold": 1,
  "finished": true,
  "wall_seconds": 3.5,
  "collectives_per_training_step": 0.0,
  "collective_time_per_training_step": {},
  "loader_wait_seconds": 0.25,
  "parameters": {
    "keras_total": 14341005,
    "keras_trainable": 3160071,
    "torch_total": 14331079,
    "torch_trainable": 3160071
  },
  "config": {
    "backbone": "resnet18",
    "data_dir": "/data/prep",
    "out_dir": "/runs",
    "config_file": "",
    "epochs": 2,
    "batch_size": 2,
    "batch_per_rank": 2,
    "lr": 0.001,
    "beta1": 0.9,
    "beta2": 0.999,
    "adam_eps": 1e-07,
    "patience": 15,
    "min_delta": 0.0,
    "encoder_mode": "thesis",
    "pretrained": "",
    "bn_momentum": 0.0,
    "flips": true,
    "seed": 42,
    "amp": "off",
    "channels_last": false,
    "tf32": true,
    "cuda_graphs": false,
    "threads": 1,
    "loader_threads": 2,
    "prefetch_batches": 4,
    "sync_bn": true,
    "dist_backend": "auto",
    "dist_timeout_s": 300,
    "max_train_batches": 4,
    "max_val_batches": 2,
    "resume": false,
    "tensorboard": true
  }
}
)";

TEST(RunRecord, WritesTheSchemaInItsOrder) { EXPECT_EQ(run_record_json(sample()), kSampleJson); }

TEST(RunRecord, CollectiveSharesAreAnObjectByPurpose) {
  auto r = sample();
  r.collective_time_per_training_step["step_flags"] = {1.0, 0.5};
  const auto json = run_record_json(r);
  EXPECT_NE(json.find(R"("collective_time_per_training_step": {
    "step_flags": {
      "calls": 1.0,
      "seconds": 0.5
    }
  },)"),
            std::string::npos)
      << json;
}

TEST(RunRecord, ReadsBackWhatItWrote) {
  testing::TempDir dir;
  auto r = sample();
  r.collective_time_per_training_step["gradient_buckets"] = {2.0, 0.125};
  write_run_record(dir / "run.json", r);
  const auto back = read_run_record(dir / "run.json");
  EXPECT_EQ(run_record_json(back), run_record_json(r));
}

TEST(RunRecord, AnOlderRecordNeedsOnlyTheBackbone) {
  testing::TempDir dir;
  write_file_atomically(dir / "run.json", R"({"config": {"backbone": "resnet34"}})");
  const auto r = read_run_record(dir / "run.json");
  EXPECT_EQ(r.config.backbone, "resnet34");
  EXPECT_EQ(r.image_height, 0) << "absent: the default";
}

TEST(RunRecord, BadFilesNameTheFileAndTheProblem) {
  testing::TempDir dir;
  try {
    read_run_record(dir / "missing.json");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), dir / "missing.json" + ": cannot open (steel_train writes it next to best.h5)");
  }
  for (const char* text : {"{not json", R"({"config": {}})", R"({"config": {"backbone": 7}})"}) {
    write_file_atomically(dir / "run.json", text);
    try {
      read_run_record(dir / "run.json");
      FAIL() << text;
    } catch (const DataError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(dir / "run.json" + ": not a steel_train run record: ", 0), 0U) << e.what();
    }
  }
}

}  // namespace
}  // namespace steel::run
