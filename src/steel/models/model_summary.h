// The `steel_models` table: each backbone's computed parameter counts next to the thesis' Figure 56.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "steel/models/encoder_mode.h"

namespace steel::models {

/// One row of the thesis' Figure 56 (Keras model.summary() of sm.Unet with encoder_freeze=True, 128x800x3).
struct ThesisParamCounts {
  int64_t total = 0;
  int64_t trainable = 0;
};

/// The thesis' published numbers for `backbone`, or nullopt for backbones it did not train (resnet18, ...).
/// These are reference values to compare against, never used in place of a computed count.
std::optional<ThesisParamCounts> thesis_figure56(const std::string& backbone);

struct ModelSummaryOptions {
  /// Backbones to list; empty means every name in backbone_names().
  std::vector<std::string> backbones;
  /// The mode the "PyTorch trainable" column is computed under. The Keras columns always describe
  /// sm's encoder_freeze=True (EncoderMode::kThesis), as the thesis did.
  EncoderMode encoder_mode = EncoderMode::kThesis;
};

/// Builds each U-Net (4 classes; no data touched), counts its parameters and prints one row per backbone:
/// backbone, Keras total, Keras trainable, thesis total, thesis trainable, match?, PyTorch params,
/// PyTorch trainable. Returns false when some backbone with a thesis row does not match it.
/// Throws steel::ConfigError for an unknown backbone.
bool print_model_summary(const ModelSummaryOptions& options, std::ostream& out);

}  // namespace steel::models
