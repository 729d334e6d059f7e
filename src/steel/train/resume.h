// Resuming a fold: which settings a checkpoint must share with the run that continues it, and loading it.
#pragma once

#include <string>

#include "steel/train/checkpoint.h"
#include "steel/train/resolved_config.h"
#include "steel/train/train_step.h"

namespace steel::train {

/// The settings that decide which numbers a run computes, as "key=value;...". A checkpoint records them, and a
/// resume under other values (another seed, batch or data set) is refused instead of silently producing a run
/// that is neither. Epochs, patience, threads and ranks may change (a resumed run may be extended, and N ranks
/// compute what one does), and so may the optimizer's settings: a new learning rate on resume is a deliberate
/// choice made on the command line.
std::string run_signature(const ResolvedConfig& config, const std::string& prep_id);

/// "lr=0.01 (the checkpoint has 0.001), ..." for the keys whose values differ; both signatures whole when only
/// the checkpoint has some key (another version of steel).
std::string signature_differences(const std::string& now, const std::string& saved);

/// A fresh loop state, or with --resume and an existing `checkpoint` its state, loaded into step's model and
/// optimizer: ConfigError when it was written under another signature; early stopping under today's patience;
/// the command line's Adam options and fp16 loss scale restored; partial sums kept on rank 0 only. Sets
/// state.run_signature = signature. Returns the seconds the fold's earlier sessions took.
double start_or_resume(const ResolvedConfig& config, const std::string& checkpoint, int fold, bool is_main,
                       const std::string& signature, models::UNet& model, TrainStep& step, LoopState& state);

}  // namespace steel::train
