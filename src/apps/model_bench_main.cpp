// steel_model_bench: images/s of steel's training step per backbone, FLOPs and peak memory, beside the device's
// matrix-product rate measured in the same process (docs/BENCHMARKS.md, docs/GPU.md). One backbone per process,
// so that the peak resident memory (getrusage) belongs to that model alone.
#include <cstdio>

#include <boost/program_options.hpp>

#include "steel/cli/guarded_main.h"
#include "steel/cli/parse_command_line.h"
#include "steel/train/step_bench.h"

int main(int argc, char** argv) {
  return steel::cli::guarded_main("steel_model_bench", [&] {
    namespace po = boost::program_options;
    steel::train::StepBenchOptions o;
    po::options_description desc("Options");
    desc.add_options()("help", "print this help")("version", "print the version")
        ("backbone", po::value(&o.backbone)->default_value(o.backbone), "resnet18..152, efficientnet-b0..b7")
        ("encoder-mode", po::value(&o.encoder_mode)->default_value(o.encoder_mode), "thesis, frozen or trainable")
        ("batch", po::value(&o.batch)->default_value(o.batch), "images per step")
        ("steps", po::value(&o.steps)->default_value(o.steps), "timed steps")
        ("warmup", po::value(&o.warmup)->default_value(o.warmup), "untimed steps first")
        ("height", po::value(&o.height)->default_value(o.height), "image height (a multiple of 32)")
        ("width", po::value(&o.width)->default_value(o.width), "image width (a multiple of 32)")
        ("device", po::value(&o.device)->default_value(o.device), "cpu, cuda or auto (a GPU when there is one)")
        ("amp", po::value(&o.amp)->default_value(o.amp), "off, bf16 or fp16 (GPU; with the trainer's loss scaling)")
        ("channels-last", po::value(&o.channels_last)->default_value(o.channels_last), "NHWC memory format")
        ("tf32", po::value(&o.tf32)->default_value(o.tf32), "CUDA: TF32 in cuDNN convolutions")
        ("threads", po::value(&o.threads)->default_value(o.threads), "intra-op threads (0: as steel_train)");
    if (!steel::cli::parse_command_line("steel_model_bench", "usage: steel_model_bench [options]", desc, argc, argv)) {
      return 0;
    }
    const auto result = steel::train::run_step_bench(o);
    std::printf("%s\n", steel::train::format_step_bench(o, result).c_str());
    return 0;
  });
}
