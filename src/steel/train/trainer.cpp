#include "steel/train/trainer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <torch/version.h>

#include "steel/core/atomic_file.h"
#include "steel/core/build_info.h"
#include "steel/core/error.h"
#include "steel/core/library_versions.h"
#include "steel/core/logging.h"
#include "steel/core/parallel.h"
#include "steel/core/run_lock.h"
#include "steel/core/version.h"
#include "steel/cuda/step_graph.h"
#include "steel/dist/gradient_sync.h"
#include "steel/dist/group.h"
#include "steel/dist/launch.h"
#include "steel/dist/rank_table.h"
#include "steel/dist/replicate.h"
#include "steel/dist/sync_batch_norm.h"
#include "steel/models/batch_norm_momentum.h"
#include "steel/models/keras_weights.h"
#include "steel/models/model_factory.h"
#include "steel/models/param_count.h"
#include "steel/train/autocast.h"
#include "steel/train/batch_plan.h"
#include "steel/train/capturable_adam.h"
#include "steel/train/checkpoint.h"
#include "steel/train/device.h"
#include "steel/train/foreach_adam.h"
#include "steel/train/loss_scaler.h"
#include "steel/train/metrics.h"
#include "steel/train/prefetcher.h"
#include "steel/train/progress_bar.h"
#include "steel/train/run_files.h"
#include "steel/train/shard_set.h"
#include "steel/train/stop_signal.h"

namespace steel::train {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Eager steps before the step is captured (--cuda-graphs): PyTorch's DDP notes ask for 11, so that the Reducer's
// bucket rebuild and every lazily created handle and buffer exist before capture.
constexpr int64_t kGraphWarmupSteps = 11;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string hostname() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

// Who holds a fold's run lock, for people reading `steel_sweep --status`.
std::string run_owner() {
  std::string owner = hostname() + " pid " + std::to_string(::getpid());
  if (const char* job = std::getenv("SLURM_ARRAY_JOB_ID")) {
    const char* task = std::getenv("SLURM_ARRAY_TASK_ID");
    owner += std::string(", slurm job ") + job + "_" + (task ? task : "?");
  } else if (const char* job = std::getenv("SLURM_JOB_ID")) {
    owner += std::string(", slurm job ") + job;
  }
  return owner;
}

// Everything one fold's loop needs, set up once.
struct FoldContext {
  const TrainOptions& options;
  const TrainHooks& hooks;
  std::shared_ptr<dist::Group> group_ptr;
  dist::Group& group;
  torch::Device device;
  AmpMode amp;
  int fold;
  int64_t global_batch;
  RunPaths paths;
};

// The per-element mean BCE over this rank's local batch. The gradient sync averages it over ranks with equal
// local batches, which is the mean over the global batch.
torch::Tensor bce_loss(const torch::Tensor& logits, const torch::Tensor& masks) {
  return torch::binary_cross_entropy_with_logits(logits.to(torch::kFloat32), masks);
}

torch::Tensor to_device(const torch::Tensor& t, const FoldContext& ctx) {
  auto out = t.to(ctx.device, /*non_blocking=*/true);
  return ctx.options.channels_last ? out.contiguous(at::MemoryFormat::ChannelsLast) : out;
}

// Validation sums over this rank's share of `data`, all-reduced over ranks: every record counted once.
torch::Tensor evaluate(models::UNet& model, const ShardSet& data, const FoldContext& ctx) {
  model->eval();
  torch::NoGradGuard no_grad;
  const int64_t local_batch = ctx.global_batch / ctx.group.size();
  // --max-val-batches limits global batches: the first max * global_batch records, whatever the number of
  // ranks, so that a short run validates the same records on 1 and on N ranks.
  int64_t records = data.size();
  if (ctx.options.max_val_batches > 0) {
    records = std::min(records, int64_t{ctx.options.max_val_batches} * ctx.global_batch);
  }
  auto batches = eval_batches(records, local_batch, ctx.group.rank(), ctx.group.size());
  PrefetcherOptions po;
  po.threads = ctx.options.loader_threads;
  po.depth = ctx.options.prefetch_batches;
  po.pin_memory = ctx.device.is_cuda();
  Prefetcher loader(data, std::move(batches), po);
  auto sums = MetricSums::zeros().to(ctx.device);
  while (auto batch = loader.next()) {
    auto images = to_device(batch->images, ctx);
    auto masks = batch->masks.to(ctx.device, true);
    torch::Tensor logits;
    {
      AutocastGuard autocast(ctx.amp, ctx.device);
      logits = model->forward(images);
    }
    sums += batch_metric_sums(logits, masks);
  }
  std::vector<torch::Tensor> reduce{sums};
  ctx.group.all_reduce_sum(reduce);
  return reduce[0].cpu();
}

void draw_progress(const FoldContext& ctx, int64_t epoch, int64_t step, int64_t steps, double seconds, double loss,
                   double rate) {
  char extra[64];
  std::snprintf(extra, sizeof extra, "loss %.5f  %.1f img/s", loss, rate);
  const std::string line = format_progress("  fold " + std::to_string(ctx.fold) + " epoch " + std::to_string(epoch + 1),
                                           step, steps, seconds, extra);
  std::fprintf(stderr, "\r%s   ", line.c_str());
  std::fflush(stderr);
}

// The CPU's model name, for reading benchmark figures and run times later.
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

// One kind of collective's calls and seconds per training step (Group::collective_times() over an epoch).
struct CommPerStep {
  double calls = 0;
  double seconds = 0;
};

void write_run_json(const FoldContext& ctx, const data::ShardInfo& shards, const models::ParamCounts& counts,
                    double seconds, bool finished, double collectives_per_step,
                    const std::map<std::string, CommPerStep>& collective_time_per_step,
                    double loader_wait_seconds) {
  const auto& o = ctx.options;
  nlohmann::ordered_json j;
  j["tool"] = "steel_train";
  j["version"] = kVersion;
  j["source_revision"] = source_revision();
  j["torch_version"] = TORCH_VERSION;
  j["versions"] = {{"compiler", compiler_version()}, {"hdf5", hdf5_version()}, {"opencv", opencv_version()}};
  j["host"] = hostname();
  j["cpu"] = cpu_model();
  j["device"] = ctx.device.str();
  j["device_requested"] = o.device;
  j["threads_per_rank"] = torch::get_num_threads();
  j["world_size"] = ctx.group.size();
  j["image_height"] = shards.height;  // the shards' resolution: what steel_predict resizes raw images to
  j["image_width"] = shards.width;
  j["data"] = {{"prep_id", shards.prep_id},
               {"prep_seed", shards.seed},
               {"source_csv_crc32", shards.source_csv_crc32},
               {"prep_tool_version", shards.tool_version},
               {"shard_format_version", shards.format_version}};
  j["backend"] = ctx.group.backend();
  j["fold"] = ctx.fold;
  j["finished"] = finished;
  j["wall_seconds"] = seconds;
  j["collectives_per_training_step"] = collectives_per_step;
  // Where a data-parallel step's communication time goes (the benchmark's shares): calls and seconds per
  // training step of the last epoch, by purpose; gradient buckets' seconds overlap the backward pass.
  j["collective_time_per_training_step"] = nlohmann::ordered_json::object();
  for (const auto& [purpose, t] : collective_time_per_step) {
    j["collective_time_per_training_step"][purpose] = {{"calls", t.calls}, {"seconds", t.seconds}};
  }
  j["loader_wait_seconds"] = loader_wait_seconds;
  j["parameters"] = {{"keras_total", counts.keras_total},
                     {"keras_trainable", counts.keras_trainable},
                     {"torch_total", counts.torch_total},
                     {"torch_trainable", counts.torch_trainable}};
  j["config"] = {{"backbone", o.backbone},
                 {"data_dir", fs::absolute(o.data_dir).string()},
                 {"out_dir", fs::absolute(o.out_dir).string()},
                 {"config_file", o.config_file},
                 {"epochs", o.epochs},
                 {"batch_size", ctx.global_batch},
                 {"batch_per_rank", ctx.global_batch / ctx.group.size()},
                 {"lr", o.lr},
                 {"beta1", o.beta1},
                 {"beta2", o.beta2},
                 {"adam_eps", o.adam_eps},
                 {"patience", o.patience},
                 {"min_delta", o.min_delta},
                 {"encoder_mode", o.encoder_mode},
                 {"pretrained", o.pretrained},
                 {"bn_momentum", o.bn_momentum},
                 {"flips", o.flips},
                 {"seed", o.seed},
                 {"amp", o.amp},
                 {"channels_last", o.channels_last},
                 {"tf32", o.tf32},
                 {"cuda_graphs", o.cuda_graphs},
                 {"threads", o.threads},
                 {"loader_threads", o.loader_threads},
                 {"prefetch_batches", o.prefetch_batches},
                 {"sync_bn", o.sync_bn},
                 {"dist_backend", o.dist_backend},
                 {"dist_timeout_s", o.dist_timeout_s},
                 {"max_train_batches", o.max_train_batches},
                 {"max_val_batches", o.max_val_batches},
                 {"resume", o.resume}};
  write_file_atomically(ctx.paths.run_json(ctx.fold), j.dump(2) + "\n");
}

// Rewrites folds.csv from every fold's result.csv, so it is right whichever folds ran in which session.
void write_folds_csv(const RunPaths& paths, int num_folds) {
  // Array tasks of one backbone finish at the same time: an exclusive lock makes each read-all-then-write
  // complete before the next, so the last writer includes every fold.
  const auto lock_path = (fs::path(paths.backbone_dir) / ".folds.lock").string();
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0) throw DataError(lock_path + ": cannot create the lock file: " + std::strerror(errno));
  struct LockGuard {
    int fd;
    ~LockGuard() { ::close(fd); }  // closing releases the flock
  } guard{lock_fd};
  if (::flock(lock_fd, LOCK_EX) != 0) throw DataError(lock_path + ": flock failed: " + std::strerror(errno));
  std::vector<FoldResult> results;
  for (int k = 0; k < num_folds; ++k) {
    if (auto r = read_fold_result(paths.result_csv(k))) results.push_back(*r);
  }
  write_file_atomically(paths.folds_csv(), fold_result_csv(results));
}

enum class FoldOutcome { kFinished, kPreempted };

// The settings that decide which numbers a run computes, as "key=value;...". A checkpoint records them, and a
// resume under other values (another seed, batch or data set) is refused instead of silently producing a
// run that is neither. Epochs, patience, threads and ranks may change (a resumed run may be extended, and N
// ranks compute what one does), and so may the optimizer's settings: a new learning rate on resume is a
// deliberate choice made on the command line.
std::string run_signature(const FoldContext& ctx, const FoldData& data) {
  const auto& o = ctx.options;
  std::ostringstream s;
  s << "backbone=" << o.backbone << ";encoder_mode=" << o.encoder_mode << ";seed=" << o.seed << ";global_batch=" << ctx.global_batch << ";bn_momentum=" << o.bn_momentum
    << ";flips=" << o.flips << ";amp=" << o.amp << ";max_train_batches=" << o.max_train_batches
    << ";prep_id=" << data.train->info().prep_id;
  return s.str();
}

// "lr=0.01 (the checkpoint has 0.001), ..." for the keys whose values differ.
std::string signature_differences(const std::string& now, const std::string& saved) {
  auto parse = [](const std::string& text) {
    std::map<std::string, std::string> kv;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ';')) {
      const auto eq = item.find('=');
      if (eq != std::string::npos) kv[item.substr(0, eq)] = item.substr(eq + 1);
    }
    return kv;
  };
  const auto a = parse(now);
  const auto b = parse(saved);
  std::string out;
  for (const auto& [key, value] : a) {
    const auto it = b.find(key);
    const std::string old = it == b.end() ? "<none>" : it->second;
    if (old != value) out += (out.empty() ? "" : ", ") + key + "=" + value + " (the checkpoint has " + old + ")";
  }
  // Keys only the checkpoint has (another version of steel): show both records whole.
  return out.empty() ? "now '" + now + "', the checkpoint '" + saved + "'" : out;
}

FoldOutcome train_fold(const FoldContext& ctx, int num_folds) {
  const auto& o = ctx.options;
  const bool main = ctx.group.is_main();
  const auto fold_start = Clock::now();
  FoldData data = open_fold(o.data_dir, ctx.fold);
  if (data.val->size() == 0) throw DataError(data.val->paths().front() + ": the validation fold holds no records");
  if (data.train->size() < ctx.global_batch) {
    throw DataError(o.data_dir + ": fold " + std::to_string(ctx.fold) + " has " + std::to_string(data.train->size()) +
                    " training records, fewer than one global batch of " + std::to_string(ctx.global_batch));
  }

  // Every fold starts from the same seed-determined initialisation, as a fresh Keras model would.
  torch::manual_seed(static_cast<uint64_t>(mix_seed(o.seed, 0x1417, static_cast<uint64_t>(ctx.fold))));
  auto model = models::make_unet(
      o.backbone, models::UNetOptions().encoder_mode(models::parse_encoder_mode(o.encoder_mode)));
  if (!o.pretrained.empty()) {
    // A steel best.h5 holds the whole U-Net; the Keras libraries' ImageNet files ("no top", as
    // segmentation_models downloads them) hold the encoder alone. The file's layer names say which it is, and
    // it is loaded strictly that way, so that weights of another backbone (ResNet-34 layers are a superset of
    // ResNet-18's) cannot load silently and the error lists the mismatches of the reading that applies.
    models::load_pretrained_weights(model, o.pretrained, o.backbone);
  }
  if (o.bn_momentum > 0) models::set_batch_norm_momentum(*model, o.bn_momentum);
  model->to(ctx.device);
  if (o.channels_last) to_channels_last(*model);
  const auto counts = models::count_parameters(*model);

  auto parameters = model->trainable_parameters();
  const auto adam_options = torch::optim::AdamOptions(o.lr).betas({o.beta1, o.beta2}).eps(o.adam_eps);
  // A captured step needs an Adam whose step count and learning rate are device tensors.
  std::unique_ptr<torch::optim::Adam> optimizer_ptr;
  CapturableAdam* capturable_adam = nullptr;
  if (o.cuda_graphs) {
    auto adam = std::make_unique<CapturableAdam>(parameters, adam_options);
    capturable_adam = adam.get();
    optimizer_ptr = std::move(adam);
  } else {
    optimizer_ptr = std::make_unique<ForeachAdam>(parameters, adam_options);
  }
  torch::optim::Adam& optimizer = *optimizer_ptr;
  LossScaler scaler(ctx.amp == AmpMode::kFp16);

  LoopState state;
  const std::string signature = run_signature(ctx, data);
  state.early_stopping = EarlyStopping({o.patience, o.min_delta});
  state.train_sums = MetricSums::zeros();
  double earlier_seconds = 0;
  if (o.resume && fs::exists(ctx.paths.checkpoint(ctx.fold))) {
    load_checkpoint(ctx.paths.checkpoint(ctx.fold), *model, optimizer, state);
    // LibTorch 2.x's Optimizer::load also restores the saved learning rate, betas and eps (1.13's restored only
    // the moments): the command line's settings win, as the run signature promises.
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()) = adam_options;
    if (!state.run_signature.empty() && state.run_signature != signature) {
      throw ConfigError(ctx.paths.checkpoint(ctx.fold) + " was written by a run with other settings: " +
                        signature_differences(signature, state.run_signature) +
                        "; resume with the same settings, or train into another --out");
    }
    state.early_stopping = [&] {
      EarlyStopping es({o.patience, o.min_delta});
      es.best = state.early_stopping.best;
      es.best_epoch = state.early_stopping.best_epoch;
      es.wait = state.early_stopping.wait;
      return es;
    }();
    if (scaler.enabled() && state.loss_scale > 0) {
      scaler.restore(state.loss_scale, static_cast<int>(state.loss_scale_good_steps));
    }
    if (!ctx.group.is_main()) state.train_sums = MetricSums::zeros();
    for (const auto& r : state.history) earlier_seconds += r.seconds;
    spdlog::info("fold {}: resuming at epoch {} step {} from {}", ctx.fold, state.epoch + 1, state.step,
                 ctx.paths.checkpoint(ctx.fold));
  }
  state.run_signature = signature;
  // Every rank built (or loaded) the same model; rank 0's copy is broadcast anyway and a checksum confirms
  // the replicas agree before the first step.
  dist::broadcast_module_state(*model, ctx.group);
  dist::verify_replicas(*model, ctx.group);
  if (o.sync_bn) dist::enable_sync_batch_norm(*model, ctx.group_ptr);
  std::unique_ptr<cuda::StepGraph> graph;
  std::unique_ptr<dist::GradientSync> gradient_sync_ptr;
  auto make_gradient_sync = [&] { gradient_sync_ptr = std::make_unique<dist::GradientSync>(ctx.group_ptr, parameters); };
  if (o.cuda_graphs) {
    graph = std::make_unique<cuda::StepGraph>(ctx.device);
    graph->run_eager(make_gradient_sync);  // PyTorch's DDP capture rules: build the Reducer on the side stream
  } else {
    make_gradient_sync();
  }
  dist::GradientSync& gradient_sync = *gradient_sync_ptr;
  double collectives_per_step = 0;
  std::map<std::string, CommPerStep> collective_time_per_step;
  double loader_wait_seconds = 0;  // of the last epoch's training loop
  auto record_run = [&](double seconds, bool finished) {
    write_run_json(ctx, data.train->info(), counts, seconds, finished, collectives_per_step, collective_time_per_step,
                   loader_wait_seconds);
  };
  if (main) record_run(earlier_seconds, false);
  // The resume point: the loop state as it stands, with the fp16 loss scaler's where it runs.
  auto save_resume_point = [&] {
    if (scaler.enabled()) {
      state.loss_scale = scaler.current_scale();
      state.loss_scale_good_steps = scaler.good_steps();
    }
    save_checkpoint(ctx.paths.checkpoint(ctx.fold), *model, optimizer, state);
  };

  const auto pin = ctx.device.is_cuda();
  // One training step. Under --cuda-graphs, step_with_update is what is captured: `images` and `masks` are its
  // inputs and `logits` and `loss` its outputs, all at fixed addresses from the capture on.
  torch::Tensor images, masks, logits, loss;
  auto forward_backward = [&] {
    optimizer.zero_grad();
    gradient_sync.prepare_forward();
    {
      AutocastGuard autocast(ctx.amp, ctx.device);
      logits = model->forward(images);
      loss = bce_loss(logits, masks);
    }
    // Gradients come out averaged over ranks, bucketed and overlapped with the backward pass.
    gradient_sync.backward(scaler.scale(loss));
  };
  auto step_with_update = [&] {
    forward_backward();
    optimizer.step();
  };
  int64_t steps_run = 0;  // by this process, for the graph's warm-up
  const bool progress = main && o.progress && logging::stderr_is_terminal();
  const int world = ctx.group.size();
  const int rank = ctx.group.rank();

  while (state.epoch < o.epochs && !state.early_stopping.should_stop()) {
    const auto epoch_start = Clock::now();
    const TrainBatchPlan plan(data.train->size(), ctx.global_batch, o.seed, state.epoch);
    int64_t steps = plan.batches();
    if (o.max_train_batches > 0) steps = std::min<int64_t>(steps, o.max_train_batches);
    std::vector<std::vector<int64_t>> local;
    for (int64_t b = state.step; b < steps; ++b) local.push_back(plan.local_batch_records(b, rank, world));

    PrefetcherOptions po;
    po.threads = o.loader_threads;
    po.depth = o.prefetch_batches;
    po.flips = o.flips;
    po.seed = o.seed;
    po.epoch = state.epoch;
    po.pin_memory = pin;
    Prefetcher loader(*data.train, std::move(local), po);

    model->train();
    auto train_sums = state.train_sums.to(ctx.device);
    const auto steps_start = Clock::now();
    const int64_t first_step = state.step;
    const int64_t calls_before = ctx.group.collective_calls();
    const auto times_before = ctx.group.collective_times();
    while (auto batch = loader.next()) {
      if (graph && graph->captured()) {
        // The captured step reads its inputs from the addresses it was captured with.
        images.copy_(batch->images, /*non_blocking=*/true);
        masks.copy_(batch->masks, /*non_blocking=*/true);
      } else {
        images = to_device(batch->images, ctx);
        masks = batch->masks.to(ctx.device, true);
      }
      if (!graph) {
        forward_backward();
      } else if (steps_run < kGraphWarmupSteps) {
        graph->run_eager(step_with_update);
      } else {
        if (!graph->captured()) {
          graph->capture(step_with_update);
          spdlog::info("fold {}: training step captured as a CUDA graph after {} eager steps", ctx.fold, steps_run);
        }
        graph->replay();
        capturable_adam->note_replayed_step();
      }
      ++steps_run;
      const double loss_value = loss.item<double>();
      const bool finite = std::isfinite(loss_value);
      // One small all-reduce per step: whether any rank saw a non-finite loss or received a stop signal, so
      // that all ranks take the same decision at the same step boundary.
      auto flags = torch::tensor({finite ? 0.0 : 1.0, stop_requested() ? 1.0 : 0.0}, torch::kFloat64);
      std::vector<torch::Tensor> reduce{flags.to(ctx.device)};
      ctx.group.all_reduce_sum(reduce, "step_flags");
      reduce[0] = reduce[0].cpu();
      if (reduce[0][0].item<double>() > 0) {
        throw TrainingError("fold " + std::to_string(ctx.fold) + " epoch " + std::to_string(state.epoch + 1) +
                            " step " + std::to_string(state.step + 1) + ": the training loss is not finite (" +
                            std::to_string(loss_value) + " on rank " + std::to_string(rank) +
                            "); the last good checkpoint is " + ctx.paths.checkpoint(ctx.fold) +
                            ". Try a lower --lr or --amp off.");
      }
      // Under --cuda-graphs the update is part of the step already; a non-finite loss still ends the run above
      // and the checkpoint on disk is the last good one.
      if (!graph && scaler.unscale_and_check(parameters)) optimizer.step();
      train_sums += batch_metric_sums(logits.detach(), masks);
      ++state.step;
      ++state.global_step;
      if (progress) {
        const double elapsed = seconds_since(steps_start);
        const double rate = static_cast<double>((state.step - first_step) * ctx.global_batch) / elapsed;
        draw_progress(ctx, state.epoch, state.step, steps, elapsed * static_cast<double>(state.step) /
                                                               static_cast<double>(state.step - first_step),
                      loss_value, rate);
      }
      if (ctx.hooks.after_step) ctx.hooks.after_step(ctx.fold, state.epoch, state.step);
      // The all-reduced flag, not this rank's own, decides: every rank stops after the same step. A signal
      // that arrives after the all-reduce (e.g. during the hook) is acted on one step later.
      if (reduce[0][1].item<double>() > 0) {
        // The checkpoint holds the global partial sums; on resume rank 0 carries them and the others start
        // from zero, so the epoch's all-reduce still counts every batch once.
        std::vector<torch::Tensor> partial{train_sums};
        ctx.group.all_reduce_sum(partial);
        state.train_sums = partial[0].cpu();
        state.train_seconds += seconds_since(steps_start);
        if (main) save_resume_point();
        ctx.group.barrier();
        if (progress) std::fprintf(stderr, "\n");
        spdlog::warn("fold {}: stopped by signal {} after epoch {} step {}; checkpoint written, continue with --resume",
                     ctx.fold, stop_signal_number(), state.epoch + 1, state.step);
        if (main) record_run(earlier_seconds + seconds_since(fold_start), false);
        return FoldOutcome::kPreempted;
      }
    }
    if (progress) std::fprintf(stderr, "\r%*s\r", 110, "");
    loader_wait_seconds = loader.wait_seconds();
    if (state.step > first_step) {
      // Gradient buckets, SyncBatchNorm and the per-step decision flags, per training step (the benchmark).
      const double steps_done = static_cast<double>(state.step - first_step);
      collectives_per_step = static_cast<double>(ctx.group.collective_calls() - calls_before) / steps_done;
      collective_time_per_step.clear();
      for (const auto& [purpose, t] : ctx.group.collective_times()) {
        const auto before = times_before.find(purpose);
        const dist::CollectiveTime earlier = before == times_before.end() ? dist::CollectiveTime{} : before->second;
        if (t.calls == earlier.calls) continue;
        // Calls stay a fraction where they are not once per step (the Reducer's one-time bucket rebuild).
        collective_time_per_step[purpose] = {static_cast<double>(t.calls - earlier.calls) / steps_done,
                                             (t.seconds - earlier.seconds) / steps_done};
      }
    }
    const double train_seconds = state.train_seconds + seconds_since(steps_start);

    std::vector<torch::Tensor> reduce{train_sums};
    ctx.group.all_reduce_sum(reduce);
    const auto train = summarize(reduce[0].cpu());
    const auto val = summarize(evaluate(model, *data.val, ctx));

    EpochRecord record;
    record.epoch = static_cast<int>(state.epoch + 1);
    record.train_loss = train.loss;
    record.train_dice = train.dice;
    record.val_loss = val.loss;
    record.val_dice = val.dice;
    record.val_kaggle_dice = val.kaggle_dice;
    record.lr = o.lr;
    record.seconds = seconds_since(epoch_start) + (state.train_seconds);
    record.images_per_second = static_cast<double>(steps * ctx.global_batch) / std::max(train_seconds, 1e-9);
    const bool improved = state.early_stopping.update(record.epoch, val.loss);
    state.history.push_back(record);
    state.epoch += 1;
    state.step = 0;
    state.train_seconds = 0;
    state.train_sums = MetricSums::zeros();
    if (main) {
      if (improved) models::save_keras_weights(model, ctx.paths.best_weights(ctx.fold));
      write_file_atomically(ctx.paths.metrics_csv(ctx.fold), metrics_csv(state.history));
      save_resume_point();
    }
    spdlog::info("fold {} epoch {}/{}: loss {:.5f} dice {:.4f} | val_loss {:.5f} val_dice {:.4f} kaggle {:.4f} | "
                 "{:.1f} s, {:.1f} img/s{}",
                 ctx.fold, record.epoch, o.epochs, train.loss, train.dice, val.loss, val.dice, val.kaggle_dice,
                 record.seconds, record.images_per_second, improved ? " *" : "");
    ctx.group.barrier();
  }

  FoldResult result;
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
    write_file_atomically(ctx.paths.result_csv(ctx.fold), fold_result_csv({result}));
    write_folds_csv(ctx.paths, num_folds);
    record_run(result.seconds, true);
  }
  spdlog::info("fold {}: best epoch {} of {}{}: val_loss {:.5f} val_dice {:.4f} kaggle {:.4f} ({:.1f} s)", ctx.fold,
               result.best_epoch, result.epochs_run, result.stopped_early ? " (early stop)" : "", result.best.val_loss,
               result.best.val_dice, result.best.val_kaggle_dice, result.seconds);
  ctx.group.barrier();
  return FoldOutcome::kFinished;
}

}  // namespace

int run_training(const TrainOptions& options, const TrainHooks& hooks) {
  validate(options);
  install_stop_handlers();
  const auto launch = dist::detect_launch();
  logging::init(launch.rank, launch.world_size, options.log_level);
  const auto device = resolve_device(options.device, launch.local_rank);
  make_current(device);
  if (options.cuda_graphs) {
    if (!cuda::graphs_supported()) {
      throw ConfigError("--cuda-graphs: this steel is built against a LibTorch without CUDA (" TORCH_VERSION ")");
    }
    if (!device.is_cuda()) throw ConfigError("--cuda-graphs needs a GPU: --device auto found none, so this run is on the CPU");
    // PyTorch's rule for capturing NCCL collectives (notes/cuda.rst, DDP): no asynchronous error handling, set
    // before the process group exists. steel's own collective timeout and heartbeat still bound a failing peer.
    ::setenv("TORCH_NCCL_ASYNC_ERROR_HANDLING", "0", 1);
  }
  auto group_ptr = dist::Group::create(
      launch, device,
      dist::GroupOptions().timeout(std::chrono::seconds(options.dist_timeout_s)).backend(options.dist_backend));
  dist::Group& group = *group_ptr;
  torch::set_num_threads(intra_op_threads(options.threads, group.ranks_on_host()));
  dist::rank_table(group, device.is_cuda() ? device.str() + " of " + std::to_string(torch::cuda::device_count())
                                           : "cpu, " + std::to_string(torch::get_num_threads()) + " threads");
  if (device.is_cuda()) at::globalContext().setAllowTF32CuDNN(options.tf32);
  const auto amp = parse_amp(options.amp);
  check_amp_supported(amp, device);
  models::make_unet(options.backbone);  // an unknown backbone fails here, before any file is touched

  int64_t global_batch = options.batch_size;
  if (options.batch_per_rank > 0) global_batch = int64_t{options.batch_per_rank} * group.size();
  if (global_batch % group.size() != 0) {
    throw ConfigError("--batch-size " + std::to_string(global_batch) + " does not divide evenly across " +
                      std::to_string(group.size()) + " ranks; pick a multiple or use --batch-per-rank");
  }

  const int num_folds = count_folds(options.data_dir);
  std::vector<int> folds;
  if (options.fold >= 0) {
    if (options.fold >= num_folds) {
      throw ConfigError("--fold " + std::to_string(options.fold) + " is out of range: " + options.data_dir +
                        " has folds 0.." + std::to_string(num_folds - 1));
    }
    folds.push_back(options.fold);
  } else {
    for (int k = 0; k < num_folds; ++k) folds.push_back(k);
  }

  RunPaths paths{(fs::path(options.out_dir) / options.backbone).string()};
  for (int k : folds) {
    const bool started = fs::exists(paths.checkpoint(k)) || fs::exists(paths.result_csv(k));
    if (started && !options.resume) {
      throw ConfigError(paths.fold_dir(k) + " already holds a run; pass --resume to continue it, or choose another --out");
    }
  }
  if (group.is_main()) {
    for (int k : folds) fs::create_directories(paths.fold_dir(k));
  }
  group.barrier();
  spdlog::info("steel_train {}: {} on {} ({} rank{}), global batch {}, folds {}", kVersion, options.backbone,
               device.str(), group.size(), group.size() > 1 ? "s" : "", global_batch,
               options.fold >= 0 ? std::to_string(options.fold) : "all " + std::to_string(num_folds));

  for (int k : folds) {
    // Two launches training one fold would overwrite each other's checkpoints; the lock also tells
    // `steel_sweep --status` that this fold is running rather than interrupted. Taken before the "finished?"
    // check, so a fold another trainer finishes meanwhile is not trained again.
    std::unique_ptr<RunLock> lock;
    std::string lock_problem;
    const std::string lock_path = paths.run_lock(k);
    if (group.is_main()) {
      try {
        lock = RunLock::try_acquire(lock_path, run_owner());
        if (!lock) {
          lock_problem = paths.fold_dir(k) + " is being trained by another steel_train right now (" +
                         RunLock::holder(lock_path).value_or("owner unknown") + ")";
        }
      } catch (const DataError& e) {
        lock_problem = e.what();
      }
    }
    if (group.any(!lock_problem.empty())) {
      throw ConfigError(group.is_main() ? lock_problem
                                        : "rank 0 could not take the run lock of " + paths.fold_dir(k) +
                                              " (its log says why)");
    }
    if (auto done = read_fold_result(paths.result_csv(k))) {
      spdlog::info("fold {}: already finished (best epoch {}, val_loss {:.5f}); skipping", k, done->best_epoch,
                   done->best.val_loss);
      continue;
    }
    FoldContext ctx{options, hooks, group_ptr, group, device, amp, k, global_batch, paths};
    if (train_fold(ctx, num_folds) == FoldOutcome::kPreempted) return exit_code::kPreempted;
  }
  if (group.is_main()) write_folds_csv(paths, num_folds);
  return exit_code::kOk;
}

}  // namespace steel::train
