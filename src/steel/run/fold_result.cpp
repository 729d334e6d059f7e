#include "steel/run/fold_result.h"

#include <cstdio>
#include <fstream>

#include "steel/core/atomic_file.h"
#include "steel/core/error.h"
#include "steel/core/run_lock.h"

namespace steel::run {

namespace {
constexpr const char* kHeader =
    "fold,best_epoch,epochs_run,stopped_early,train_loss,train_dice,val_loss,val_dice,val_kaggle_dice,seconds";
}

std::string fold_result_csv(const std::vector<FoldResult>& results) {
  std::string out = kHeader;  // appended: see metrics_csv
  out += '\n';
  for (const auto& r : results) {
    char line[512];
    std::snprintf(line, sizeof line, "%d,%d,%d,%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.3f\n", r.fold, r.best_epoch, r.epochs_run,
                  r.stopped_early ? 1 : 0, r.best.train_loss, r.best.train_dice, r.best.val_loss, r.best.val_dice,
                  r.best.val_kaggle_dice, r.seconds);
    out += line;
  }
  return out;
}

std::optional<FoldResult> read_fold_result(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string header;
  std::string row;
  std::getline(in, header);
  std::getline(in, row);
  FoldResult r;
  int stopped = 0;
  const int n = std::sscanf(row.c_str(), "%d,%d,%d,%d,%lf,%lf,%lf,%lf,%lf,%lf", &r.fold, &r.best_epoch, &r.epochs_run,
                            &stopped, &r.best.train_loss, &r.best.train_dice, &r.best.val_loss, &r.best.val_dice,
                            &r.best.val_kaggle_dice, &r.seconds);
  if (header != kHeader || n != 10) throw DataError(path + ": line 2: not a steel fold result row: '" + row + "'");
  r.stopped_early = stopped != 0;
  r.best.epoch = r.best_epoch;
  return r;
}

void update_folds_csv(const RunPaths& paths, int num_folds) {
  const auto lock = RunLock::acquire(paths.folds_lock());
  std::vector<FoldResult> results;
  for (int k = 0; k < num_folds; ++k) {
    if (auto r = read_fold_result(paths.result_csv(k))) results.push_back(*r);
  }
  write_file_atomically(paths.folds_csv(), fold_result_csv(results));
}

}  // namespace steel::run
