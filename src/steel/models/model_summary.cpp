#include "steel/models/model_summary.h"

#include <iomanip>
#include <map>

#include "steel/models/model_factory.h"
#include "steel/models/param_count.h"

namespace steel::models {

namespace {

// Column widths of the table; numbers get thousands separators so they read like Keras' summary.
constexpr int kNameWidth = 16;
constexpr int kNumberWidth = 17;
constexpr int kMatchWidth = 7;

std::string with_separators(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

}  // namespace

std::optional<ThesisParamCounts> thesis_figure56(const std::string& backbone) {
  // Figure 56 of the thesis (also /work/shared/reference/thesis_figure56_params.csv).
  static const std::map<std::string, ThesisParamCounts> kFigure56{
      {"resnet34", {24456589, 3167495}},         {"resnet50", {32561549, 9059079}},
      {"resnet101", {51605901, 9111303}},        {"efficientnet-b0", {10115936, 6106404}},
      {"efficientnet-b1", {12641604, 6126436}},  {"efficientnet-b3", {17868268, 7170052}},
      {"efficientnet-b5", {37469108, 9126340}},  {"efficientnet-b7", {75048532, 11259588}},
  };
  const auto it = kFigure56.find(backbone);
  if (it == kFigure56.end()) return std::nullopt;
  return it->second;
}

bool print_model_summary(const ModelSummaryOptions& options, std::ostream& out) {
  const std::vector<std::string> backbones = options.backbones.empty() ? backbone_names() : options.backbones;
  for (const auto& name : backbones) make_encoder(name);  // fail on a typo before the slow part
  auto number = [&](int64_t v) { out << std::setw(kNumberWidth) << with_separators(v) << "  "; };
  auto text = [&](const std::string& s, int width) { out << std::setw(width) << s << "  "; };

  out << std::left << std::setw(kNameWidth) << "backbone" << std::right << "  ";
  for (const char* h : {"Keras total", "Keras trainable", "thesis total", "thesis trainable"}) text(h, kNumberWidth);
  text("match?", kMatchWidth);
  text("PyTorch params", kNumberWidth);
  out << std::setw(kNumberWidth) << "PyTorch trainable" << "\n";

  bool all_match = true;
  for (const auto& name : backbones) {
    UNet model = make_unet(name, UNetOptions().encoder_mode(options.encoder_mode));
    const ParamCounts counts = count_parameters(*model);
    const auto thesis = thesis_figure56(name);
    out << std::left << std::setw(kNameWidth) << name << std::right << "  ";
    number(counts.keras_total);
    number(counts.keras_trainable);
    if (thesis) {
      const bool match = thesis->total == counts.keras_total && thesis->trainable == counts.keras_trainable;
      all_match = all_match && match;
      number(thesis->total);
      number(thesis->trainable);
      text(match ? "yes" : "NO", kMatchWidth);
    } else {
      text("-", kNumberWidth);
      text("-", kNumberWidth);
      text("n/a", kMatchWidth);
    }
    number(counts.torch_total);
    out << std::setw(kNumberWidth) << with_separators(counts.torch_trainable) << "\n";
  }
  out << "# Keras columns: sm.Unet(encoder_freeze=True) convention (BN moving stats in the total; encoder BN "
         "gamma/beta trainable).\n"
      << "# PyTorch columns: parameters() only; trainable under encoder mode '" << to_string(options.encoder_mode)
      << "'.\n"
      << "# thesis Figure 56: " << (all_match ? "all listed backbones match" : "MISMATCH") << "\n";
  out.flush();
  return all_match;
}

}  // namespace steel::models
