#include "steel/train/train_options.h"

#include "steel/core/error.h"
#include "steel/train/device_name.h"

namespace steel::train {
namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw ConfigError(message);
}

}  // namespace

void validate(const TrainOptions& o) {
  require(!o.data_dir.empty(), "--data is required: a steel_prep output folder");
  require(!o.out_dir.empty(), "--out must not be empty");
  require(o.fold >= -1, "--fold must be 0 or more (leave it out to train every fold)");
  require(o.epochs >= 1, "--epochs must be at least 1, got " + std::to_string(o.epochs));
  require(o.batch_size >= 1, "--batch-size must be at least 1, got " + std::to_string(o.batch_size));
  require(o.batch_per_rank >= 0, "--batch-per-rank must be 0 (off) or more");
  require(o.lr > 0, "--lr must be positive");
  require(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1, "--beta1 and --beta2 must be in [0, 1)");
  require(o.adam_eps > 0, "--adam-eps must be positive");
  require(o.patience >= 1, "--patience must be at least 1");
  require(o.min_delta >= 0, "--min-delta must be 0 or more");
  require(o.encoder_mode == "thesis" || o.encoder_mode == "frozen" || o.encoder_mode == "trainable",
          "--encoder-mode '" + o.encoder_mode + "': expected thesis, frozen or trainable");
  check_device_name(o.device);
  require(o.amp == "off" || o.amp == "bf16" || o.amp == "fp16", "--amp '" + o.amp + "': expected off, bf16 or fp16");
  require(!(o.cuda_graphs && o.device == "cpu"), "--cuda-graphs needs a GPU: it captures CUDA kernels, and --device is cpu");
  require(!(o.cuda_graphs && o.dist_backend == "gloo"),
          "--cuda-graphs needs the NCCL backend: Gloo's collectives cannot be captured in a CUDA graph");
  require(!(o.cuda_graphs && o.amp == "fp16"),
          "--cuda-graphs with --amp fp16: fp16 loss scaling decides on the host at every step whether to skip it, "
          "which a replayed graph cannot; use --amp bf16 (no loss scaling) or leave CUDA graphs off");
  require(o.bn_momentum >= 0 && o.bn_momentum <= 1, "--bn-momentum must be in (0, 1], or 0 to keep the model's");
  require(o.threads >= 0, "--threads must be 0 (default) or more");
  require(o.loader_threads >= 1, "--loader-threads must be at least 1");
  require(o.prefetch_batches >= 1, "--prefetch-batches must be at least 1");
  require(o.dist_backend == "auto" || o.dist_backend == "nccl" || o.dist_backend == "gloo",
          "--dist-backend '" + o.dist_backend + "': expected auto, nccl or gloo");
  require(o.dist_timeout_s >= 1, "--dist-timeout must be at least 1 second");
  require(o.max_train_batches >= 0 && o.max_val_batches >= 0, "--max-train-batches/--max-val-batches must be >= 0");
}

}  // namespace steel::train
