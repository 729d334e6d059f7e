// One row of metrics.csv: what an epoch of one fold measured.
#pragma once

#include <string>
#include <vector>

namespace steel::run {

struct EpochRecord {
  int epoch = 0;  ///< 1-based, as Keras prints it
  double train_loss = 0;
  double train_dice = 0;
  double val_loss = 0;
  double val_dice = 0;
  double val_kaggle_dice = 0;
  double lr = 0;
  double seconds = 0;            ///< wall time of the epoch, validation included
  double images_per_second = 0;  ///< training images (all ranks) per second of training steps
};

/// The metrics.csv header, and one row (full precision, '.' decimal point whatever the locale).
std::string metrics_csv_header();
std::string metrics_csv_row(const EpochRecord& r);
/// The whole file for `history`.
std::string metrics_csv(const std::vector<EpochRecord>& history);

/// The values as doubles in column order (checkpoints store the history as a [E, 9] tensor) and back.
std::vector<double> to_values(const EpochRecord& r);
EpochRecord from_values(const double* values);
constexpr int kEpochRecordFields = 9;

}  // namespace steel::run
