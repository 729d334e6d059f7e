#include "steel/cli/train_cli.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <boost/program_options.hpp>

#include "steel/core/build_info.h"
#include "steel/core/error.h"
#include "steel/core/version.h"
#include "steel/train/train_step.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace steel::cli {
namespace {

constexpr const char* kUsage =
    "steel_train --backbone NAME --data PREP_DIR [--out runs] [--fold K] [options]\n"
    "  Trains a U-Net on the folds of a steel_prep folder: every fold in turn, or --fold K.\n"
    "  Multi-process: mpirun -np N steel_train ... (or srun, or RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT).\n"
    "  Exit codes: 0 done, 2 bad option, 3 bad data, 4 distributed failure, 5 non-finite loss,\n"
    "  75 stopped by SIGTERM/SIGUSR1 after writing a checkpoint (requeue with --resume).";

// Options that may appear in config files as well as on the command line ("name = value" lines).
po::options_description training_options(train::TrainOptions& o) {
  po::options_description d("Training options (also valid in a config file)");
  d.add_options()
      ("backbone", po::value(&o.backbone)->default_value(o.backbone),
       "encoder: resnet18/34/50/101/152, efficientnet-b0 ... efficientnet-b7")
      ("data", po::value(&o.data_dir), "steel_prep output folder (fold_<k>.h5 ...); required")
      ("out", po::value(&o.out_dir)->default_value(o.out_dir), "results go to OUT/<backbone>/fold_<k>/")
      ("fold", po::value(&o.fold)->default_value(o.fold), "fold to train; -1 trains every fold in turn")
      ("epochs", po::value(&o.epochs)->default_value(o.epochs), "maximum epochs per fold")
      ("batch-size", po::value(&o.batch_size)->default_value(o.batch_size),
       "global batch, split evenly across ranks")
      ("batch-per-rank", po::value(&o.batch_per_rank)->default_value(o.batch_per_rank),
       "if > 0: per-rank batch (DDP semantics); the global batch becomes this times the ranks")
      ("lr", po::value(&o.lr)->default_value(o.lr, "0.001"), "Adam learning rate")
      ("beta1", po::value(&o.beta1)->default_value(o.beta1, "0.9"), "Adam beta1")
      ("beta2", po::value(&o.beta2)->default_value(o.beta2, "0.999"), "Adam beta2")
      ("adam-eps", po::value(&o.adam_eps)->default_value(o.adam_eps, "1e-07"), "Adam epsilon (Keras' default)")
      ("patience", po::value(&o.patience)->default_value(o.patience), "early stopping: epochs without a better val_loss")
      ("min-delta", po::value(&o.min_delta)->default_value(o.min_delta, "0"), "early stopping: minimum improvement")
      ("encoder-mode", po::value(&o.encoder_mode)->default_value(o.encoder_mode),
       "thesis (Keras encoder_freeze: BN trains), frozen or trainable")
      ("pretrained", po::value(&o.pretrained)->default_value(o.pretrained),
       "Keras-layout HDF5: a whole U-Net (steel best.h5) or its encoder (ImageNet 'no top' file); empty: random init")
      ("bn-momentum", po::value(&o.bn_momentum)->default_value(o.bn_momentum, "0"),
       "if > 0: BatchNorm momentum, PyTorch convention (0.1 settles fast in short runs); 0: the thesis' Keras 0.01")
      ("flips", po::value(&o.flips)->default_value(o.flips), "random horizontal/vertical flips of training records")
      ("seed", po::value(&o.seed)->default_value(o.seed), "fixes initialisation, shuffling and flips")
      ("device", po::value(&o.device)->default_value(o.device), "cpu, cuda or auto")
      ("amp", po::value(&o.amp)->default_value(o.amp), "mixed precision: off, bf16 or fp16 (fp16: CUDA only)")
      ("channels-last", po::value(&o.channels_last)->default_value(o.channels_last), "NHWC memory format")
      ("tf32", po::value(&o.tf32)->default_value(o.tf32),
       "CUDA: let cuDNN convolutions use TF32 (PyTorch's default; false: full float32, for exact comparisons)")
      ("cuda-graphs", po::value(&o.cuda_graphs)->default_value(o.cuda_graphs),
       ("CUDA + NCCL: capture the whole training step (forward, loss, backward, gradient all-reduce, Adam) as a "
        "CUDA graph after " + std::to_string(train::kGraphWarmupSteps) +
        " eager steps and replay it; saves the kernel-launch time of small batches").c_str())
      ("threads", po::value(&o.threads)->default_value(o.threads), "intra-op threads per rank (0: OMP_NUM_THREADS if set, else the usable CPUs / ranks on this host)")
      ("loader-threads", po::value(&o.loader_threads)->default_value(o.loader_threads),
       "prefetch workers (HDF5 read + decompression) per rank")
      ("prefetch-batches", po::value(&o.prefetch_batches)->default_value(o.prefetch_batches),
       "batches prepared ahead of the step")
      ("sync-bn", po::value(&o.sync_bn)->default_value(o.sync_bn), "SyncBatchNorm when there is more than one rank")
      ("dist-backend", po::value(&o.dist_backend)->default_value(o.dist_backend),
       "auto (NCCL on CUDA, Gloo on the CPU), nccl, or gloo (also on CUDA tensors: several ranks on one GPU)")
      ("dist-timeout", po::value(&o.dist_timeout_s)->default_value(o.dist_timeout_s),
       "seconds a collective may wait before the run fails naming the missing rank")
      ("max-train-batches", po::value(&o.max_train_batches)->default_value(o.max_train_batches),
       "if > 0: global batches per training epoch (smoke tests)")
      ("max-val-batches", po::value(&o.max_val_batches)->default_value(o.max_val_batches),
       "if > 0: global batches per validation: the first N x batch-size records (smoke tests)")
      ("log-level", po::value(&o.log_level)->default_value(o.log_level), "trace, debug, info, warn or error")
      ("progress", po::value(&o.progress)->default_value(o.progress), "progress bar when stderr is a terminal")
      ("tensorboard", po::value(&o.tensorboard)->default_value(o.tensorboard),
       "rank 0 writes TensorBoard event files beside metrics.csv (tensorboard --logdir <out>)");
  return d;
}

}  // namespace

std::string default_config_dir() {
  if (const char* env = std::getenv("STEEL_CONFIG_DIR"); env != nullptr && *env != '\0') return env;
  if (fs::is_directory(source_config_dir())) return source_config_dir();
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("configs") : (exe.parent_path().parent_path() / "share" / "steel" / "configs").string();
}

std::optional<train::TrainOptions> parse_train_cli(int argc, const char* const* argv) {
  train::TrainOptions o;
  std::string config;
  po::options_description general("General");
  general.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("config", po::value(&config), "config file (INI: 'name = value' per option); default: "
                                     "<config dir>/<backbone>.ini if it exists (config dir: $STEEL_CONFIG_DIR or "
                                     "the source tree's configs/)")
      ("resume", po::bool_switch(&o.resume), "continue interrupted folds from their checkpoint; finished folds are skipped");
  auto training = training_options(o);
  po::options_description all;
  all.add(general).add(training);

  po::variables_map vm;
  try {
    // The command line is stored first: Boost.PO keeps the first value it sees, so it overrides the file.
    po::store(po::command_line_parser(argc, argv).options(all).run(), vm);
    if (vm.count("help") != 0) {
      std::cout << kUsage << "\n\n" << all << "\n";
      return std::nullopt;
    }
    if (vm.count("version") != 0) {
      std::cout << "steel_train " << kVersion << "\n";
      return std::nullopt;
    }
    std::string path = vm.count("config") != 0 ? vm["config"].as<std::string>() : std::string();
    if (path.empty()) {
      const auto backbone = vm["backbone"].as<std::string>();
      const auto candidate = fs::path(default_config_dir()) / (backbone + ".ini");
      if (fs::exists(candidate)) path = candidate.string();
    }
    if (!path.empty()) {
      std::ifstream file(path);
      if (!file) throw ConfigError("--config " + path + ": cannot open the file");
      try {
        po::store(po::parse_config_file(file, training), vm);
      } catch (const po::error& e) {
        throw ConfigError(path + ": " + e.what());
      }
    }
    po::notify(vm);
    o.config_file = path;
  } catch (const po::error& e) {
    throw ConfigError(std::string(e.what()) + " (see steel_train --help)");
  }
  train::validate(o);
  return o;
}

}  // namespace steel::cli
