#include "steel/train/step_bench.h"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>

#include <torch/torch.h>

#include "steel/core/error.h"
#include "steel/core/parallel.h"
#include "steel/dist/group.h"
#include "steel/dist/launch.h"
#include "steel/models/encoder_mode.h"
#include "steel/models/flop_count.h"
#include "steel/models/model_factory.h"
#include "steel/train/autocast.h"
#include "steel/train/device.h"
#include "steel/train/device_name.h"
#include "steel/train/train_step.h"

namespace steel::train {
namespace {

// The device's work is asynchronous: a clock read means something only after it has finished.
void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The matrix-product rate the step's convolutions can at best approach: fp32 on the CPU (what the BLAS sustains),
// the step's precision on a GPU: bf16 under --amp bf16, else float32 with TF32 as the convolutions have it.
double gemm_gflops(const torch::Device& device, AmpMode amp, bool tf32) {
  const int64_t n = device.is_cuda() ? 8192 : 2048;
  const auto dtype = device.is_cuda() && amp == AmpMode::kBf16 ? torch::kBFloat16 : torch::kFloat32;
  auto& context = at::globalContext();
  const bool tf32_before = context.allowTF32CuBLAS();
  if (device.is_cuda()) context.setAllowTF32CuBLAS(tf32);
  const auto a = torch::randn({n, n}, torch::TensorOptions(dtype).device(device));
  const auto b = torch::randn({n, n}, torch::TensorOptions(dtype).device(device));
  torch::mm(a, b);
  synchronize(device);
  const int reps = 10;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) torch::mm(a, b);
  synchronize(device);
  const double seconds = seconds_since(start);
  context.setAllowTF32CuBLAS(tf32_before);
  return 2.0 * static_cast<double>(n * n * n) * reps / seconds / 1e9;
}

// What the GEMM column measured, for the printed line.
const char* gemm_kind(const StepBenchOptions& o, const StepBenchResult& r) {
  if (r.device != "cuda") return "fp32";
  if (o.amp == "bf16") return "bf16";
  return o.tf32 ? "tf32" : "fp32";
}

void require(bool ok, const std::string& message) {
  if (!ok) throw ConfigError(message);
}

}  // namespace

StepBenchResult run_step_bench(const StepBenchOptions& o) {
  require(o.batch >= 1 && o.steps >= 1 && o.warmup >= 1,
          "batch, steps and warmup must be at least 1 (the first step builds kernels and grows the allocator)");
  require(o.height % 32 == 0 && o.width % 32 == 0 && o.height > 0 && o.width > 0,
          "height and width must be positive multiples of 32");
  check_device_name(o.device);
  const auto amp = parse_amp(o.amp);
  const auto encoder_mode = models::parse_encoder_mode(o.encoder_mode);
  const torch::Device device = resolve_device(o.device);
  make_current(device);
  check_amp_supported(amp, device);
  torch::set_num_threads(intra_op_threads(o.threads, 1));
  if (device.is_cuda()) at::globalContext().setAllowTF32CuDNN(o.tf32);

  StepBenchResult r;
  r.device = device.is_cuda() ? "cuda" : "cpu";
  r.threads = torch::get_num_threads();
  r.gemm_gflops = gemm_gflops(device, amp, o.tf32);

  torch::manual_seed(0);
  auto model = models::make_unet(o.backbone, models::UNetOptions().encoder_mode(encoder_mode));
  model->to(device);
  const auto memory_format = o.channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  if (o.channels_last) to_channels_last(*model);
  model->train();
  const auto on_device = torch::TensorOptions().device(device);
  const auto images = torch::rand({o.batch, 3, o.height, o.width}, on_device).contiguous(memory_format);
  const auto masks = (torch::rand({o.batch, 4, o.height, o.width}, on_device) > 0.9).to(torch::kFloat32);
  // The trainer's own step on a one-rank group (no communication): what steel_train runs, loss scaling included.
  TrainStep train_step(model, torch::optim::AdamOptions(1e-4),
                       TrainStepOptions().amp(amp).channels_last(o.channels_last).name("step benchmark"));
  train_step.connect(dist::Group::create(dist::LaunchInfo{}, device));
  auto step = [&] {
    train_step.run(images, masks);
    train_step.update();
  };
  for (int i = 0; i < o.warmup; ++i) step();
  synchronize(device);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < o.steps; ++i) step();
  synchronize(device);
  r.seconds_per_step = seconds_since(start) / o.steps;

  // FLOPs of one forward pass, and of the encoder alone (backward work differs by mode); counted after the timing,
  // since these passes run in training mode and move BatchNorm's statistics.
  int64_t forward_flops = 0;
  int64_t encoder_flops = 0;
  {
    torch::NoGradGuard no_grad;
    forward_flops = models::count_forward_flops([&] { model->forward(images); });
    encoder_flops = models::count_forward_flops([&] { model->encode(images); });
  }
  // Backward: ~2x forward for layers that need weight and input gradients (trainable: everything; frozen: the
  // decoder and head only, the encoder runs without autograd; thesis: the decoder and head, plus ~1x for the
  // encoder, whose input gradients are still needed to reach the BatchNorm gamma/beta that train).
  const int64_t decoder_flops = forward_flops - encoder_flops;
  int64_t backward_flops = 2 * forward_flops;
  if (encoder_mode == models::EncoderMode::kFrozen) backward_flops = 2 * decoder_flops;
  if (encoder_mode == models::EncoderMode::kThesis) backward_flops = 2 * decoder_flops + encoder_flops;
  const int64_t train_flops = forward_flops + backward_flops;

  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  r.peak_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
  r.images_per_second = static_cast<double>(o.batch) / r.seconds_per_step;
  r.forward_gflop_per_image = static_cast<double>(forward_flops) / 1e9 / static_cast<double>(o.batch);
  r.train_gflop_per_image = static_cast<double>(train_flops) / 1e9 / static_cast<double>(o.batch);
  r.achieved_gflops = static_cast<double>(train_flops) / r.seconds_per_step / 1e9;
  return r;
}

std::string format_step_bench(const StepBenchOptions& o, const StepBenchResult& r) {
  char line[512];
  std::snprintf(line, sizeof line,
                "%-16s %-9s %s amp %-4s%s batch %lld  %8.3f s/step  %8.2f img/s  fwd %7.1f GFLOP/img  train %7.1f "
                "GFLOP/img  %8.1f GFLOP/s = %4.1f%% of %s GEMM %8.1f GFLOP/s  peak host RSS %6.0f MiB  %d threads",
                o.backbone.c_str(), o.encoder_mode.c_str(), r.device.c_str(), o.amp.c_str(),
                o.channels_last ? " NHWC" : "", static_cast<long long>(o.batch), r.seconds_per_step,
                r.images_per_second, r.forward_gflop_per_image, r.train_gflop_per_image, r.achieved_gflops,
                100.0 * r.achieved_gflops / r.gemm_gflops, gemm_kind(o, r), r.gemm_gflops, r.peak_rss_mib, r.threads);
  return line;
}

}  // namespace steel::train
