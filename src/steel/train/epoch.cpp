#include "steel/train/epoch.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "steel/core/error.h"
#include "steel/dist/group.h"
#include "steel/loader/batch_plan.h"
#include "steel/loader/prefetcher.h"
#include "steel/train/metrics.h"
#include "steel/train/progress_bar.h"
#include "steel/train/stop_signal.h"

namespace steel::train {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void draw_progress(int fold, int64_t epoch, int64_t step, int64_t steps, double seconds, double loss, double rate) {
  char extra[64];
  std::snprintf(extra, sizeof extra, "loss %.5f  %.1f img/s", loss, rate);
  const std::string line = format_progress("  fold " + std::to_string(fold) + " epoch " + std::to_string(epoch + 1),
                                           step, steps, seconds, extra);
  std::fprintf(stderr, "\r%s   ", line.c_str());
  std::fflush(stderr);
}

// Gradient buckets, SyncBatchNorm and the per-step decision flags, per training step of this pass.
CollectiveStats collective_stats(const dist::Group& group, int64_t calls_before,
                                 const std::map<std::string, dist::CollectiveTime>& times_before, double steps_done) {
  CollectiveStats stats;
  stats.calls_per_step = static_cast<double>(group.collective_calls() - calls_before) / steps_done;
  for (const auto& [purpose, t] : group.collective_times()) {
    const auto before = times_before.find(purpose);
    const dist::CollectiveTime earlier = before == times_before.end() ? dist::CollectiveTime{} : before->second;
    if (t.calls == earlier.calls) continue;
    // Calls stay a fraction where they are not once per step (the Reducer's one-time bucket rebuild).
    stats.time_per_step[purpose] = {static_cast<double>(t.calls - earlier.calls) / steps_done,
                                    (t.seconds - earlier.seconds) / steps_done};
  }
  return stats;
}

}  // namespace

EpochPass train_epoch(TrainStep& step, models::UNet& model, const loader::ShardSet& data, LoopState& state,
                      const EpochContext& context) {
  const auto& config = context.config;
  auto& group = context.group;
  const loader::TrainBatchPlan plan(data.size(), config.global_batch, config.options.seed, state.epoch);
  EpochPass pass;
  pass.steps = config.train_steps(plan.batches());
  std::vector<std::vector<int64_t>> local;
  for (int64_t b = state.step; b < pass.steps; ++b) {
    local.push_back(plan.local_batch_records(b, group.rank(), group.size()));
  }
  loader::Prefetcher batches(data, std::move(local), config.train_loader(state.epoch));

  model->train();
  auto train_sums = state.train_sums.to(config.device);
  const auto steps_start = Clock::now();
  const int64_t first_step = state.step;
  const int64_t calls_before = group.collective_calls();
  const auto times_before = group.collective_times();
  while (auto batch = batches.next()) {
    const auto step_start = Clock::now();
    step.run(batch->images, batch->masks);
    const double loss_value = step.loss().item<double>();
    const bool finite = std::isfinite(loss_value);
    // One small all-reduce per step: whether any rank saw a non-finite loss or received a stop signal, so that
    // all ranks take the same decision at the same step boundary.
    auto flags = torch::tensor({finite ? 0.0 : 1.0, stop_requested() ? 1.0 : 0.0}, torch::kFloat64);
    std::vector<torch::Tensor> reduce{flags.to(config.device)};
    group.all_reduce_sum(reduce, "step_flags");
    reduce[0] = reduce[0].cpu();
    if (reduce[0][0].item<double>() > 0) {
      throw TrainingError("fold " + std::to_string(context.fold) + " epoch " + std::to_string(state.epoch + 1) +
                          " step " + std::to_string(state.step + 1) + ": the training loss is not finite (" +
                          std::to_string(loss_value) + " on rank " + std::to_string(group.rank()) +
                          "); the last good checkpoint is " + context.checkpoint + ". Try a lower --lr or --amp off.");
    }
    step.update();
    train_sums += batch_metric_sums(step.logits().detach(), step.masks());
    ++state.step;
    ++state.global_step;
    if (context.log_step) {
      context.log_step(state.global_step, loss_value,
                       static_cast<double>(config.global_batch) / std::max(seconds_since(step_start), 1e-9));
    }
    if (context.progress) {
      const double elapsed = seconds_since(steps_start);
      const double rate = static_cast<double>((state.step - first_step) * config.global_batch) / elapsed;
      draw_progress(context.fold, state.epoch, state.step, pass.steps,
                    elapsed * static_cast<double>(state.step) / static_cast<double>(state.step - first_step),
                    loss_value, rate);
    }
    if (context.after_step) context.after_step(context.fold, state.epoch, state.step);
    // The all-reduced flag, not this rank's own, decides: every rank stops after the same step. A signal that
    // arrives after the all-reduce (e.g. during the hook) is acted on one step later.
    if (reduce[0][1].item<double>() > 0) {
      // The checkpoint holds the global partial sums; on resume rank 0 carries them and the others start from
      // zero, so the epoch's all-reduce still counts every batch once.
      std::vector<torch::Tensor> partial{train_sums};
      group.all_reduce_sum(partial);
      state.train_sums = partial[0].cpu();
      state.train_seconds += seconds_since(steps_start);
      if (context.progress) std::fprintf(stderr, "\n");
      pass.stopped = true;
      return pass;
    }
  }
  if (context.progress) std::fprintf(stderr, "\r%*s\r", 110, "");
  pass.loader_wait_seconds = batches.wait_seconds();
  if (state.step > first_step) {
    pass.collectives =
        collective_stats(group, calls_before, times_before, static_cast<double>(state.step - first_step));
  }
  pass.train_seconds = state.train_seconds + seconds_since(steps_start);
  std::vector<torch::Tensor> reduce{train_sums};
  group.all_reduce_sum(reduce);
  pass.train_sums = reduce[0].cpu();
  return pass;
}

}  // namespace steel::train
