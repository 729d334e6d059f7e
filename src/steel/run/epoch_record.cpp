#include "steel/run/epoch_record.h"

#include <cstdio>

namespace steel::run {

std::string metrics_csv_header() {
  return "epoch,train_loss,train_dice,val_loss,val_dice,val_kaggle_dice,lr,seconds,images_per_second";
}

std::string metrics_csv_row(const EpochRecord& r) {
  // %.9g keeps losses around 1e-3 readable and round-trips float32-level precision; snprintf with the "C"
  // locale the process starts in, so no comma decimals.
  char line[512];
  std::snprintf(line, sizeof line, "%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.3f,%.2f", r.epoch, r.train_loss, r.train_dice,
                r.val_loss, r.val_dice, r.val_kaggle_dice, r.lr, r.seconds, r.images_per_second);
  return line;
}

std::string metrics_csv(const std::vector<EpochRecord>& history) {
  // Appended, not `header + "\n"`: GCC 12 at C++20 (torch 2.14+) reports a false -Warray-bounds on the latter.
  std::string out = metrics_csv_header();
  out += '\n';
  for (const auto& r : history) out += metrics_csv_row(r) + "\n";
  return out;
}

std::vector<double> to_values(const EpochRecord& r) {
  return {static_cast<double>(r.epoch), r.train_loss, r.train_dice, r.val_loss, r.val_dice, r.val_kaggle_dice,
          r.lr, r.seconds, r.images_per_second};
}

EpochRecord from_values(const double* v) {
  EpochRecord r;
  r.epoch = static_cast<int>(v[0]);
  r.train_loss = v[1];
  r.train_dice = v[2];
  r.val_loss = v[3];
  r.val_dice = v[4];
  r.val_kaggle_dice = v[5];
  r.lr = v[6];
  r.seconds = v[7];
  r.images_per_second = v[8];
  return r;
}

}  // namespace steel::run
