#include "steel/train/run_files.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "steel/core/error.h"

namespace steel::train {
namespace fs = std::filesystem;

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

std::string RunPaths::fold_dir(int fold) const {
  return (fs::path(backbone_dir) / ("fold_" + std::to_string(fold))).string();
}
std::string RunPaths::metrics_csv(int fold) const { return (fs::path(fold_dir(fold)) / "metrics.csv").string(); }
std::string RunPaths::best_weights(int fold) const { return (fs::path(fold_dir(fold)) / "best.h5").string(); }
std::string RunPaths::checkpoint(int fold) const { return (fs::path(fold_dir(fold)) / "checkpoint.pt").string(); }
std::string RunPaths::result_csv(int fold) const { return (fs::path(fold_dir(fold)) / "result.csv").string(); }
std::string RunPaths::run_json(int fold) const { return (fs::path(fold_dir(fold)) / "run.json").string(); }
std::string RunPaths::run_lock(int fold) const { return (fs::path(fold_dir(fold)) / "running.lock").string(); }
std::string RunPaths::folds_csv() const { return (fs::path(backbone_dir) / "folds.csv").string(); }

}  // namespace steel::train
