#include "steel/train/training_log.h"

#include <map>
#include <sstream>

#include <opencv2/imgcodecs.hpp>

#include "steel/core/error.h"

namespace steel::train {

TrainingLog::TrainingLog(const std::string& fold_dir, const ResolvedConfig& config, int fold, int64_t resume_step)
    : writer_(fold_dir) {
  if (resume_step > 0) writer_.add_session_start(resume_step);
  const auto& o = config.options;
  // What tells a sweep's runs apart, plus the protocol's settings; numbers, strings and booleans only.
  const std::map<std::string, tensorboard::HParam> hparams{
      {"backbone", o.backbone},
      {"encoder_mode", o.encoder_mode},
      {"fold", static_cast<double>(fold)},
      {"epochs", static_cast<double>(o.epochs)},
      {"batch_size", static_cast<double>(config.global_batch)},
      {"batch_per_rank", static_cast<double>(config.local_batch)},
      {"ranks", static_cast<double>(config.world_size)},
      {"lr", o.lr},
      {"beta1", o.beta1},
      {"beta2", o.beta2},
      {"adam_eps", o.adam_eps},
      {"patience", static_cast<double>(o.patience)},
      {"min_delta", o.min_delta},
      {"bn_momentum", o.bn_momentum},
      {"flips", o.flips},
      {"seed", static_cast<double>(o.seed)},
      {"amp", o.amp},
      {"channels_last", o.channels_last},
      {"sync_bn", o.sync_bn},
      {"pretrained", o.pretrained},
      {"max_train_batches", static_cast<double>(o.max_train_batches)},
  };
  writer_.add_hparams(hparams);
  writer_.flush();
}

void TrainingLog::step(int64_t global_step, double loss, double images_per_second) {
  writer_.add_scalar("train/loss", loss, global_step);
  writer_.add_scalar("train/images_per_second", images_per_second, global_step);
}

void TrainingLog::epoch(const run::EpochRecord& record, const std::vector<cv::Mat>& overlays) {
  // The columns of metrics.csv, named by its header (epoch itself is the step).
  std::vector<std::string> columns;
  std::stringstream header(run::metrics_csv_header());
  for (std::string name; std::getline(header, name, ',');) columns.push_back(name);
  const auto values = run::to_values(record);
  for (std::size_t c = 1; c < columns.size(); ++c) writer_.add_scalar("epoch/" + columns[c], values[c], record.epoch);
  for (std::size_t i = 0; i < overlays.size(); ++i) {
    std::vector<uchar> png;
    if (!cv::imencode(".png", overlays[i], png)) throw DataError(writer_.path() + ": cannot encode an overlay as PNG");
    writer_.add_image("val/overlay_" + std::to_string(i), std::string(png.begin(), png.end()), overlays[i].cols,
                      overlays[i].rows, record.epoch);
  }
  writer_.flush();
}

void TrainingLog::finished(bool success) {
  writer_.add_session_end(success);
  writer_.flush();
}

}  // namespace steel::train
