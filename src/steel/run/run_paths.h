// The run folder: every name under <out>/<backbone>/ that steel_train writes and steel_eval, steel_report,
// steel_sweep and users' scripts read. slurm/run_layout.sh spells the same names for the batch scripts
// (tests/unit/run/run_layout_test.cpp keeps the two equal).
#pragma once

#include <string>
#include <vector>

namespace steel::run {

/// <out>/<backbone>/
///   folds.csv  .folds.lock  test_metrics.csv  overlays/
///   fold_<k>/  metrics.csv  best.h5  checkpoint.pt  result.csv  run.json  running.lock  sweep_failed.txt
struct RunPaths {
  std::string backbone_dir;  ///< <out>/<backbone>

  static RunPaths of(const std::string& out_dir, const std::string& backbone);
  /// "fold_3": the folder's name, and the `model` column of test_metrics.csv.
  static std::string fold_name(int fold);

  std::string fold_dir(int fold) const;
  std::string metrics_csv(int fold) const;
  std::string best_weights(int fold) const;
  std::string checkpoint(int fold) const;
  std::string result_csv(int fold) const;  ///< present once the fold is finished
  std::string run_json(int fold) const;
  std::string run_lock(int fold) const;      ///< held by the trainer of the fold (core/run_lock.h)
  std::string sweep_failed(int fold) const;  ///< why the sweep's last attempt failed (steel_sweep --status)
  std::string folds_csv() const;
  std::string folds_lock() const;  ///< serialises rewrites of folds.csv
  std::string test_metrics_csv() const;
  std::string overlays_dir() const;

  /// The folds with a result.csv, ascending (fold_2 before fold_10); folders not named exactly fold_<k>
  /// (fold_01, fold_x) are not folds.
  std::vector<int> finished_folds() const;
};

/// The backbones trained under `out_dir` (subfolders holding a folds.csv), sorted by name.
std::vector<std::string> trained_backbones(const std::string& out_dir);

}  // namespace steel::run
