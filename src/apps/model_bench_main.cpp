// steel_model_bench BACKBONE MODE [BATCH=2] [STEPS=3] [HEIGHT=128] [WIDTH=800]: forward+backward images/s, peak
// memory and FLOPs of one U-Net on CPU, beside this machine's fp32 matrix-multiply rate measured in the same
// process (docs/BENCHMARKS.md, issue 4). MODE: an encoder mode (thesis, frozen or trainable). One backbone per
// process, so that the peak resident memory (getrusage) belongs to that model alone.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <torch/torch.h>

#include "steel/core/error.h"
#include "steel/core/parallel.h"
#include "steel/models/encoder_mode.h"
#include "steel/models/flop_count.h"
#include "steel/models/model_factory.h"

namespace {

double seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// fp32 GEMM rate: what the machine's BLAS sustains, the ceiling for convolution-heavy work here.
double matmul_gflops() {
  const int64_t n = 2048;
  auto a = torch::randn({n, n});
  auto b = torch::randn({n, n});
  torch::mm(a, b);
  const int reps = 10;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) torch::mm(a, b);
  return 2.0 * static_cast<double>(n * n * n) * reps / seconds(start) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: steel_model_bench BACKBONE thesis|frozen|trainable [BATCH] [STEPS] [HEIGHT] [WIDTH]\n");
    return 2;
  }
  const std::string backbone = argv[1];
  const std::string mode = argv[2];
  // A misspelt mode must not silently benchmark another configuration.
  steel::models::EncoderMode encoder_mode{};
  try {
    encoder_mode = steel::models::parse_encoder_mode(mode);
  } catch (const steel::ConfigError& e) {
    std::fprintf(stderr, "steel_model_bench: %s\n", e.what());
    return steel::exit_code::kConfig;
  }
  const int64_t batch = argc > 3 ? std::atoi(argv[3]) : 2;
  const int steps = argc > 4 ? std::atoi(argv[4]) : 3;
  const int64_t h = argc > 5 ? std::atoi(argv[5]) : 128;
  const int64_t w = argc > 6 ? std::atoi(argv[6]) : 800;
  // The trainer's default: every usable CPU for one process (LibTorch alone would take 1 thread on a machine
  // whose cores it misreads).
  torch::set_num_threads(steel::intra_op_threads(0, 1));
  const double gemm = matmul_gflops();

  torch::manual_seed(0);
  auto model = steel::models::make_unet(backbone, steel::models::UNetOptions().encoder_mode(encoder_mode));
  model->train();
  auto images = torch::rand({batch, 3, h, w});
  auto masks = (torch::rand({batch, 4, h, w}) > 0.9).to(torch::kFloat32);
  torch::optim::Adam adam(model->trainable_parameters(), torch::optim::AdamOptions(1e-4));

  // FLOPs of one forward pass, and of the encoder alone: backward work differs by mode.
  int64_t forward_flops = 0;
  int64_t encoder_flops = 0;
  {
    torch::NoGradGuard no_grad;
    forward_flops = steel::models::count_forward_flops([&] { model->forward(images); });
    encoder_flops = steel::models::count_forward_flops([&] { model->encode(images); });
  }
  // Backward: ~2x forward for layers that need weight and input gradients (trainable: everything; frozen: the
  // decoder and head only, the encoder runs without autograd; thesis: the decoder and head, plus ~1x for the
  // encoder, whose input gradients are still needed to reach the BatchNorm gamma/beta that train).
  const int64_t decoder_flops = forward_flops - encoder_flops;
  int64_t backward_flops = 2 * forward_flops;
  if (encoder_mode == steel::models::EncoderMode::kFrozen) backward_flops = 2 * decoder_flops;
  if (encoder_mode == steel::models::EncoderMode::kThesis) backward_flops = 2 * decoder_flops + encoder_flops;
  const int64_t train_flops = forward_flops + backward_flops;

  auto step = [&] {
    adam.zero_grad();
    auto loss = torch::binary_cross_entropy_with_logits(model->forward(images), masks);
    loss.backward();
    adam.step();
  };
  step();  // warm-up: oneDNN primitive creation, allocator growth
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) step();
  const double per_step = seconds(start) / steps;

  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  const double images_per_second = static_cast<double>(batch) / per_step;
  const double achieved = static_cast<double>(train_flops) / per_step / 1e9;
  std::printf("%-16s %-9s batch %lld  %8.3f s/step  %7.2f img/s  fwd %7.1f GFLOP/img  train %7.1f GFLOP/img  "
              "%6.1f GFLOP/s = %4.0f%% of GEMM %6.1f GFLOP/s  peak RSS %6.0f MiB  %d threads\n",
              backbone.c_str(), mode.c_str(), static_cast<long long>(batch), per_step, images_per_second,
              static_cast<double>(forward_flops) / 1e9 / static_cast<double>(batch),
              static_cast<double>(train_flops) / 1e9 / static_cast<double>(batch), achieved, 100.0 * achieved / gemm,
              gemm, static_cast<double>(usage.ru_maxrss) / 1024.0, torch::get_num_threads());
  return 0;
}
