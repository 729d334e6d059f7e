// Speed of steel_train's own training step (train_step.h: forward, BCE, backward, Adam) on synthetic tensors, with
// no data pipeline: the C++ side of the model benchmarks (docs/BENCHMARKS.md on CPU; docs/GPU.md against Python PyTorch on a GPU).
#pragma once

#include <cstdint>
#include <string>

namespace steel::train {

struct StepBenchOptions {
  std::string backbone = "resnet34";
  std::string encoder_mode = "thesis";  ///< thesis | frozen | trainable
  int64_t batch = 2;
  int steps = 3;   ///< timed steps
  int warmup = 1;  ///< untimed steps first, at least 1 (oneDNN primitives, cuDNN algorithms, allocator growth)
  int64_t height = 128;
  int64_t width = 800;
  std::string device = "cpu";  ///< cpu | cuda | auto
  std::string amp = "off";     ///< off | bf16 | fp16
  bool channels_last = false;
  bool tf32 = true;  ///< CUDA: TF32 in cuDNN convolutions (PyTorch's default)
  int threads = 0;   ///< intra-op threads; 0 as in steel_train
};

struct StepBenchResult {
  double seconds_per_step = 0;
  double images_per_second = 0;
  double forward_gflop_per_image = 0;
  double train_gflop_per_image = 0;  ///< forward plus backward through what the encoder mode trains
  double achieved_gflops = 0;
  double gemm_gflops = 0;  ///< a large matrix product on the same device, in the step's precision
  double peak_rss_mib = 0;  ///< host memory (getrusage); a GPU's own memory is not counted
  int threads = 0;
  std::string device;  ///< where it ran: cpu | cuda (--device auto resolved)
};

/// Validates the options (steel::ConfigError), builds the model with seed 0, runs warmup + steps training
/// steps on one batch of random images and masks and times the steps (synchronising the GPU).
StepBenchResult run_step_bench(const StepBenchOptions& options);

/// One line: options and result, as docs/BENCHMARKS.md quotes it.
std::string format_step_bench(const StepBenchOptions& options, const StepBenchResult& result);

}  // namespace steel::train
