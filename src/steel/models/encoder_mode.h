// Which encoder weights train: the thesis' Keras freeze, a fully frozen encoder, or a fully trainable one.
#pragma once

#include <string>
#include <vector>

namespace steel::models {

// Declared, not included, so that tools which only parse a mode (steel_models) need no torch headers.
class EncoderImpl;

enum class EncoderMode {
  /// What sm.Unet(encoder_freeze=True) really does: encoder conv, depthwise and SE weights are frozen, but
  /// its BatchNorm layers are not, so their gamma/beta train and they run in training mode (batch
  /// statistics, moving averages updated). Reproduces the thesis' trainable counts.
  kThesis,
  /// The whole encoder is frozen and runs in eval mode under NoGradGuard: no autograd graph, no BN updates.
  kFrozen,
  /// Everything trains.
  kTrainable,
};

/// "thesis", "frozen" or "trainable"; anything else throws steel::ConfigError listing these.
EncoderMode parse_encoder_mode(const std::string& text);
std::string to_string(EncoderMode mode);
/// The accepted spellings, in enum order.
std::vector<std::string> encoder_mode_names();

/// Sets requires_grad on every encoder parameter as `mode` prescribes and drops gradients of newly frozen
/// ones (so no stale .grad survives a switch). Train/eval state is the caller's business (see UNetImpl).
void apply_encoder_mode(EncoderImpl& encoder, EncoderMode mode);

}  // namespace steel::models
