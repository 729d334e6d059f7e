#include "steel/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <spdlog/spdlog.h>
#include <torch/version.h>

#include "steel/core/atomic_file.h"
#include "steel/core/error.h"
#include "steel/core/host.h"
#include "steel/core/logging.h"
#include "steel/core/run_lock.h"
#include "steel/core/seeded_random.h"
#include "steel/core/version.h"
#include "steel/cuda/step_graph.h"
#include "steel/dist/group.h"
#include "steel/dist/launch.h"
#include "steel/dist/rank_table.h"
#include "steel/dist/replicate.h"
#include "steel/dist/sync_batch_norm.h"
#include "steel/loader/shard_set.h"
#include "steel/models/batch_norm_momentum.h"
#include "steel/models/keras_weights.h"
#include "steel/models/model_factory.h"
#include "steel/models/param_count.h"
#include "steel/run/fold_result.h"
#include "steel/run/run_paths.h"
#include "steel/run/run_record.h"
#include "steel/train/checkpoint.h"
#include "steel/train/device.h"
#include "steel/train/epoch.h"
#include "steel/train/metrics.h"
#include "steel/train/resolved_config.h"
#include "steel/train/resume.h"
#include "steel/train/stop_signal.h"
#include "steel/train/train_step.h"
#include "steel/train/training_log.h"
#include "steel/train/validation.h"

namespace steel::train {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Validation records drawn into the TensorBoard log every epoch.
constexpr int kLogOverlays = 3;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Everything one fold's loop needs, set up once.
struct FoldContext {
  const ResolvedConfig& config;
  const TrainHooks& hooks;
  std::shared_ptr<dist::Group> group_ptr;
  dist::Group& group;
  int fold;
  run::RunPaths paths;
};

// The parts of run.json that do not change while the fold trains.
run::RunRecord make_record(const FoldContext& ctx, const data::ShardInfo& shards, const models::ParamCounts& counts) {
  const auto& o = ctx.config.options;
  auto r = run::new_run_record();
  r.device = ctx.config.device.str();
  r.device_requested = o.device;
  r.threads_per_rank = torch::get_num_threads();
  r.world_size = ctx.group.size();
  r.image_height = shards.height;
  r.image_width = shards.width;
  r.prep_id = shards.prep_id;
  r.prep_seed = shards.seed;
  r.source_csv_crc32 = shards.source_csv_crc32;
  r.prep_tool_version = shards.tool_version;
  r.shard_format_version = shards.format_version;
  r.backend = ctx.group.backend();
  r.fold = ctx.fold;
  r.keras_total = counts.keras_total;
  r.keras_trainable = counts.keras_trainable;
  r.torch_total = counts.torch_total;
  r.torch_trainable = counts.torch_trainable;
  r.config = o;
  r.config.data_dir = fs::absolute(o.data_dir).string();
  r.config.out_dir = fs::absolute(o.out_dir).string();
  r.global_batch = ctx.config.global_batch;
  r.local_batch = ctx.config.local_batch;
  return r;
}

enum class FoldOutcome { kFinished, kPreempted };

FoldOutcome train_fold(const FoldContext& ctx) {
  const auto& config = ctx.config;
  const auto& o = config.options;
  const bool main = ctx.group.is_main();
  const auto fold_start = Clock::now();
  const std::string checkpoint = ctx.paths.checkpoint(ctx.fold);
  loader::FoldData data = loader::open_fold(o.data_dir, ctx.fold);
  if (data.val->size() == 0) throw DataError(data.val->paths().front() + ": the validation fold holds no records");
  if (data.train->size() < config.global_batch) {
    throw DataError(o.data_dir + ": fold " + std::to_string(ctx.fold) + " has " + std::to_string(data.train->size()) +
                    " training records, fewer than one global batch of " + std::to_string(config.global_batch));
  }

  // Every fold starts from the same seed-determined initialisation, as a fresh Keras model would.
  torch::manual_seed(static_cast<uint64_t>(mix_seed(o.seed, 0x1417, static_cast<uint64_t>(ctx.fold))));
  auto model =
      models::make_unet(o.backbone, models::UNetOptions().encoder_mode(models::parse_encoder_mode(o.encoder_mode)));
  if (!o.pretrained.empty()) {
    // A steel best.h5 holds the whole U-Net; the Keras libraries' ImageNet files ("no top", as
    // segmentation_models downloads them) hold the encoder alone. The file's layer names say which it is, and
    // it is loaded strictly that way, so that weights of another backbone (ResNet-34 layers are a superset of
    // ResNet-18's) cannot load silently and the error lists the mismatches of the reading that applies.
    models::load_pretrained_weights(model, o.pretrained, o.backbone);
  }
  if (o.bn_momentum > 0) models::set_batch_norm_momentum(*model, o.bn_momentum);
  model->to(config.device);
  if (o.channels_last) to_channels_last(*model);
  const auto counts = models::count_parameters(*model);

  TrainStep step(model, torch::optim::AdamOptions(o.lr).betas({o.beta1, o.beta2}).eps(o.adam_eps),
                 TrainStepOptions()
                     .amp(config.amp)
                     .channels_last(o.channels_last)
                     .cuda_graphs(o.cuda_graphs)
                     .name("fold " + std::to_string(ctx.fold)));
  LoopState state;
  const double earlier_seconds = start_or_resume(config, checkpoint, ctx.fold, main,
                                                 run_signature(config, data.train->info().prep_id), model, step, state);
  // Every rank built (or loaded) the same model; rank 0's copy is broadcast anyway and a checksum confirms
  // the replicas agree before the first step.
  dist::broadcast_module_state(*model, ctx.group);
  dist::verify_replicas(*model, ctx.group);
  if (o.sync_bn) dist::enable_sync_batch_norm(*model, ctx.group_ptr);
  step.connect(ctx.group_ptr);

  auto record = make_record(ctx, data.train->info(), counts);
  auto record_run = [&](double seconds, bool finished) {
    record.wall_seconds = seconds;
    record.finished = finished;
    run::write_run_record(ctx.paths.run_json(ctx.fold), record);
  };
  if (main) record_run(earlier_seconds, false);
  // The resume point: the loop state as it stands, with the fp16 loss scaler's where it runs.
  auto save_resume_point = [&] {
    if (step.scaler().enabled()) {
      state.loss_scale = step.scaler().current_scale();
      state.loss_scale_good_steps = step.scaler().good_steps();
    }
    save_checkpoint(checkpoint, *model, step.optimizer(), state);
  };

  // TensorBoard: rank 0 logs the fold beside metrics.csv.
  std::unique_ptr<TrainingLog> log;
  if (main && o.tensorboard)
    log = std::make_unique<TrainingLog>(ctx.paths.fold_dir(ctx.fold), config, ctx.fold, state.global_step);
  EpochContext epoch_context{config,
                             ctx.group,
                             ctx.fold,
                             checkpoint,
                             main && o.progress && logging::stderr_is_terminal(),
                             ctx.hooks.after_step,
                             {}};
  if (log) {
    epoch_context.log_step = [&](int64_t global_step, double loss, double rate) { log->step(global_step, loss, rate); };
  }
  while (state.epoch < o.epochs && !state.early_stopping.should_stop()) {
    const auto epoch_start = Clock::now();
    const auto pass = train_epoch(step, model, *data.train, state, epoch_context);
    if (pass.stopped) {
      if (main) save_resume_point();
      ctx.group.barrier();
      spdlog::warn("fold {}: stopped by signal {} after epoch {} step {}; checkpoint written, continue with --resume",
                   ctx.fold, stop_signal_number(), state.epoch + 1, state.step);
      if (main) record_run(earlier_seconds + seconds_since(fold_start), false);
      return FoldOutcome::kPreempted;
    }
    record.loader_wait_seconds = pass.loader_wait_seconds;
    if (pass.collectives) {
      record.collectives_per_training_step = pass.collectives->calls_per_step;
      record.collective_time_per_training_step = pass.collectives->time_per_step;
    }
    const auto train = summarize(pass.train_sums);
    const auto val = summarize(validation_sums(model, *data.val, config, ctx.group));

    run::EpochRecord epoch;
    epoch.epoch = static_cast<int>(state.epoch + 1);
    epoch.train_loss = train.loss;
    epoch.train_dice = train.dice;
    epoch.val_loss = val.loss;
    epoch.val_dice = val.dice;
    epoch.val_kaggle_dice = val.kaggle_dice;
    epoch.lr = o.lr;
    epoch.seconds = seconds_since(epoch_start) + state.train_seconds;
    epoch.images_per_second =
        static_cast<double>(pass.steps * config.global_batch) / std::max(pass.train_seconds, 1e-9);
    const bool improved = state.early_stopping.update(epoch.epoch, val.loss);
    state.history.push_back(epoch);
    state.epoch += 1;
    state.step = 0;
    state.train_seconds = 0;
    state.train_sums = MetricSums::zeros();
    if (main) {
      if (improved) models::save_keras_weights(model, ctx.paths.best_weights(ctx.fold));
      write_file_atomically(ctx.paths.metrics_csv(ctx.fold), run::metrics_csv(state.history));
      if (log) log->epoch(epoch, validation_overlays(model, *data.val, config, kLogOverlays));
      save_resume_point();
    }
    spdlog::info(
        "fold {} epoch {}/{}: loss {:.5f} dice {:.4f} | val_loss {:.5f} val_dice {:.4f} kaggle {:.4f} | "
        "{:.1f} s, {:.1f} img/s{}",
        ctx.fold, epoch.epoch, o.epochs, train.loss, train.dice, val.loss, val.dice, val.kaggle_dice, epoch.seconds,
        epoch.images_per_second, improved ? " *" : "");
    ctx.group.barrier();
  }

  run::FoldResult result;
  result.fold = ctx.fold;
  result.epochs_run = static_cast<int>(state.history.size());
  result.stopped_early = state.early_stopping.should_stop();
  result.best_epoch = state.early_stopping.best_epoch;
  for (const auto& r : state.history) {
    if (r.epoch == result.best_epoch) result.best = r;
  }
  result.seconds = earlier_seconds + seconds_since(fold_start);
  if (result.best_epoch < 1) {
    throw TrainingError("fold " + std::to_string(ctx.fold) + ": no epoch produced a finite val_loss");
  }
  if (main) {
    // Keras' restore_best_weights: the model ends with the best epoch's weights; best.h5 already holds them.
    models::load_keras_weights(model, ctx.paths.best_weights(ctx.fold));
    write_file_atomically(ctx.paths.result_csv(ctx.fold), run::fold_result_csv({result}));
    run::update_folds_csv(ctx.paths, config.num_folds);
    record_run(result.seconds, true);
    if (log) log->finished(true);
  }
  spdlog::info("fold {}: best epoch {} of {}{}: val_loss {:.5f} val_dice {:.4f} kaggle {:.4f} ({:.1f} s)", ctx.fold,
               result.best_epoch, result.epochs_run, result.stopped_early ? " (early stop)" : "", result.best.val_loss,
               result.best.val_dice, result.best.val_kaggle_dice, result.seconds);
  ctx.group.barrier();
  return FoldOutcome::kFinished;
}

// --cuda-graphs needs a CUDA build, a GPU, and NCCL without asynchronous error handling.
void prepare_cuda_graphs(const torch::Device& device) {
  if (!cuda::graphs_supported()) {
    throw ConfigError("--cuda-graphs: this steel is built against a LibTorch without CUDA (" TORCH_VERSION ")");
  }
  if (!device.is_cuda())
    throw ConfigError("--cuda-graphs needs a GPU: --device auto found none, so this run is on the CPU");
  // PyTorch's rule for capturing NCCL collectives (notes/cuda.rst, DDP): no asynchronous error handling, set
  // before the process group exists. steel's own collective timeout and heartbeat still bound a failing peer.
  ::setenv("TORCH_NCCL_ASYNC_ERROR_HANDLING", "0", 1);
}

}  // namespace

int run_training(const TrainOptions& options, const TrainHooks& hooks) {
  validate(options);
  install_stop_handlers();
  const auto launch = dist::detect_launch();
  logging::init(launch.rank, launch.world_size, options.log_level);
  const auto device = resolve_device(options.device, launch.local_rank);
  make_current(device);
  if (options.cuda_graphs) prepare_cuda_graphs(device);
  auto group_ptr = dist::Group::create(
      launch, device,
      dist::GroupOptions().timeout(std::chrono::seconds(options.dist_timeout_s)).backend(options.dist_backend));
  dist::Group& group = *group_ptr;
  const auto config = resolve_config(options, group, device);
  torch::set_num_threads(config.intra_op_threads);
  dist::rank_table(group, device.is_cuda() ? device.str() + " of " + std::to_string(torch::cuda::device_count())
                                           : "cpu, " + std::to_string(torch::get_num_threads()) + " threads");
  if (device.is_cuda()) at::globalContext().setAllowTF32CuDNN(options.tf32);

  const auto paths = run::RunPaths::of(options.out_dir, options.backbone);
  for (int k : config.folds) {
    const bool started = fs::exists(paths.checkpoint(k)) || fs::exists(paths.result_csv(k));
    if (started && !options.resume) {
      throw ConfigError(paths.fold_dir(k) +
                        " already holds a run; pass --resume to continue it, or choose another --out");
    }
  }
  if (group.is_main()) {
    for (int k : config.folds) fs::create_directories(paths.fold_dir(k));
  }
  group.barrier();
  spdlog::info("steel_train {}: {} on {} ({} rank{}), global batch {}, folds {}", kVersion, options.backbone,
               device.str(), group.size(), group.size() > 1 ? "s" : "", config.global_batch,
               options.fold >= 0 ? std::to_string(options.fold) : "all " + std::to_string(config.num_folds));

  for (int k : config.folds) {
    // Two launches training one fold would overwrite each other's checkpoints; the lock also tells
    // `steel_sweep --status` that this fold is running rather than interrupted. Taken before the "finished?"
    // check, so a fold another trainer finishes meanwhile is not trained again.
    std::unique_ptr<RunLock> lock;
    std::string lock_problem;
    const std::string lock_path = paths.run_lock(k);
    if (group.is_main()) {
      try {
        lock = RunLock::try_acquire(lock_path, process_owner());
        if (!lock) {
          lock_problem = paths.fold_dir(k) + " is being trained by another steel_train right now (" +
                         RunLock::holder(lock_path).value_or("owner unknown") + ")";
        }
      } catch (const DataError& e) {
        lock_problem = e.what();
      }
    }
    if (group.any(!lock_problem.empty())) {
      throw ConfigError(group.is_main()
                            ? lock_problem
                            : "rank 0 could not take the run lock of " + paths.fold_dir(k) + " (its log says why)");
    }
    if (auto done = run::read_fold_result(paths.result_csv(k))) {
      spdlog::info("fold {}: already finished (best epoch {}, val_loss {:.5f}); skipping", k, done->best_epoch,
                   done->best.val_loss);
      continue;
    }
    const FoldContext ctx{config, hooks, group_ptr, group, k, paths};
    if (train_fold(ctx) == FoldOutcome::kPreempted) return exit_code::kPreempted;
  }
  if (group.is_main()) run::update_folds_csv(paths, config.num_folds);
  return exit_code::kOk;
}

}  // namespace steel::train
