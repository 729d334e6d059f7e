// Everything steel_train can be told, resolved from defaults, a config file and the command line.
#pragma once

#include <cstdint>
#include <string>

namespace steel::train {

/// The thesis' training protocol (section III.2.4) is the default; every field is a steel_train option of the
/// same name with '_' written as '-'. Validated once by `validate` before any work starts.
struct TrainOptions {
  // What to train, on what, where.
  std::string backbone = "efficientnet-b5";
  std::string data_dir;          ///< steel_prep's output folder (fold_<k>.h5 ...)
  std::string out_dir = "runs";  ///< results go to <out_dir>/<backbone>/fold_<k>/
  int fold = -1;                 ///< -1: every fold in turn
  std::string config_file;       ///< the config file that was read ("" when none)

  // The protocol.
  int epochs = 150;
  int batch_size = 16;      ///< the global batch, split evenly across ranks
  int batch_per_rank = 0;   ///< when > 0: DDP's semantics, the global batch is batch_per_rank * ranks
  double lr = 1e-3;         ///< Adam with Keras' defaults
  double beta1 = 0.9;
  double beta2 = 0.999;
  double adam_eps = 1e-7;
  int patience = 15;        ///< early stopping on val_loss, mode min
  double min_delta = 0.0;   ///< an epoch improves when val_loss < best - min_delta
  std::string encoder_mode = "thesis";
  std::string pretrained;   ///< Keras-layout HDF5 loaded before training ("" = random initialisation)
  double bn_momentum = 0;   ///< > 0: override every BatchNorm momentum (PyTorch convention); 0: the model's Keras 0.01
  bool flips = false;       ///< random horizontal/vertical flips of training records
  uint64_t seed = 42;

  // Execution.
  std::string device = "auto";  ///< cpu | cuda | auto
  std::string amp = "off";       ///< off | bf16 | fp16
  bool channels_last = false;
  bool tf32 = true;  ///< TF32 in cuDNN convolutions on Ampere and later GPUs (PyTorch's default)
  bool cuda_graphs = false;  ///< capture the whole training step as a CUDA graph after warm-up, then replay it
  int threads = 0;               ///< intra-op threads per rank (0 = LibTorch's default)
  int loader_threads = 2;        ///< decompression workers of the prefetcher
  int prefetch_batches = 4;      ///< batches prepared ahead of the step
  bool sync_bn = true;           ///< SyncBatchNorm when there is more than one rank
  std::string dist_backend = "auto";  ///< auto (NCCL on CUDA, Gloo on CPU) | nccl | gloo
  int dist_timeout_s = 300;      ///< a collective that waits longer than this fails, naming the missing rank
  bool resume = false;           ///< continue from <fold>/checkpoint.pt; finished folds are skipped either way

  // Short runs (smoke tests, benchmarks): 0 means no limit.
  int max_train_batches = 0;     ///< global batches per training epoch
  int max_val_batches = 0;       ///< validation: only the first max_val_batches * global batch records
  std::string log_level = "info";
  bool progress = true;          ///< draw a progress bar when stderr is a terminal
  bool tensorboard = true;       ///< rank 0 writes TensorBoard event files beside metrics.csv
};

/// Throws steel::ConfigError naming the first invalid option.
void validate(const TrainOptions& options);

}  // namespace steel::train
