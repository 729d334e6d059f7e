#include "steel/train/resume.h"

#include <filesystem>
#include <map>
#include <sstream>

#include <spdlog/spdlog.h>

#include "steel/core/error.h"
#include "steel/train/metrics.h"

namespace steel::train {

std::string run_signature(const ResolvedConfig& config, const std::string& prep_id) {
  const auto& o = config.options;
  std::ostringstream s;
  s << "backbone=" << o.backbone << ";encoder_mode=" << o.encoder_mode << ";seed=" << o.seed
    << ";global_batch=" << config.global_batch << ";bn_momentum=" << o.bn_momentum << ";flips=" << o.flips
    << ";amp=" << o.amp << ";max_train_batches=" << o.max_train_batches << ";prep_id=" << prep_id;
  return s.str();
}

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
  return out.empty() ? "now '" + now + "', the checkpoint '" + saved + "'" : out;
}

double start_or_resume(const ResolvedConfig& config, const std::string& checkpoint, int fold, bool is_main,
                       const std::string& signature, models::UNet& model, TrainStep& step, LoopState& state) {
  const auto& o = config.options;
  state.early_stopping = EarlyStopping({o.patience, o.min_delta});
  state.train_sums = MetricSums::zeros();
  double earlier_seconds = 0;
  if (o.resume && std::filesystem::exists(checkpoint)) {
    auto& optimizer = step.optimizer();
    const auto adam_options = static_cast<torch::optim::AdamOptions&>(optimizer.param_groups().front().options());
    load_checkpoint(checkpoint, *model, optimizer, state);
    // LibTorch 2.x's Optimizer::load also restores the saved learning rate, betas and eps (1.13's restored only
    // the moments): the command line's settings win, as the run signature promises.
    for (auto& group : optimizer.param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()) = adam_options;
    if (!state.run_signature.empty() && state.run_signature != signature) {
      throw ConfigError(checkpoint + " was written by a run with other settings: " +
                        signature_differences(signature, state.run_signature) +
                        "; resume with the same settings, or train into another --out");
    }
    EarlyStopping today({o.patience, o.min_delta});
    today.best = state.early_stopping.best;
    today.best_epoch = state.early_stopping.best_epoch;
    today.wait = state.early_stopping.wait;
    state.early_stopping = today;
    if (step.scaler().enabled() && state.loss_scale > 0) {
      step.scaler().restore(state.loss_scale, static_cast<int>(state.loss_scale_good_steps));
    }
    // The checkpoint holds the global partial sums: rank 0 carries them, so the epoch's all-reduce counts each
    // batch once.
    if (!is_main) state.train_sums = MetricSums::zeros();
    for (const auto& r : state.history) earlier_seconds += r.seconds;
    spdlog::info("fold {}: resuming at epoch {} step {} from {}", fold, state.epoch + 1, state.step, checkpoint);
  }
  state.run_signature = signature;
  return earlier_seconds;
}

}  // namespace steel::train
