#include "steel/run/run_paths.h"

#include <algorithm>
#include <filesystem>

namespace steel::run {
namespace fs = std::filesystem;

namespace {

std::string in(const std::string& dir, const char* name) { return (fs::path(dir) / name).string(); }

// k for "fold_<k>" with k written as fold_name writes it; -1 for anything else.
int fold_of(const std::string& name) {
  const std::string prefix = "fold_";
  if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) return -1;
  const std::string digits = name.substr(prefix.size());
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return -1;
  if (digits.size() > 6) return -1;
  const int k = std::stoi(digits);
  return RunPaths::fold_name(k) == name ? k : -1;
}

}  // namespace

RunPaths RunPaths::of(const std::string& out_dir, const std::string& backbone) {
  return RunPaths{(fs::path(out_dir) / backbone).string()};
}

std::string RunPaths::fold_name(int fold) { return "fold_" + std::to_string(fold); }

std::string RunPaths::fold_dir(int fold) const { return (fs::path(backbone_dir) / fold_name(fold)).string(); }
std::string RunPaths::metrics_csv(int fold) const { return in(fold_dir(fold), "metrics.csv"); }
std::string RunPaths::best_weights(int fold) const { return in(fold_dir(fold), "best.h5"); }
std::string RunPaths::checkpoint(int fold) const { return in(fold_dir(fold), "checkpoint.pt"); }
std::string RunPaths::result_csv(int fold) const { return in(fold_dir(fold), "result.csv"); }
std::string RunPaths::run_json(int fold) const { return in(fold_dir(fold), "run.json"); }
std::string RunPaths::run_lock(int fold) const { return in(fold_dir(fold), "running.lock"); }
std::string RunPaths::sweep_failed(int fold) const { return in(fold_dir(fold), "sweep_failed.txt"); }
std::string RunPaths::folds_csv() const { return in(backbone_dir, "folds.csv"); }
std::string RunPaths::folds_lock() const { return in(backbone_dir, ".folds.lock"); }
std::string RunPaths::test_metrics_csv() const { return in(backbone_dir, "test_metrics.csv"); }
std::string RunPaths::overlays_dir() const { return in(backbone_dir, "overlays"); }

std::vector<int> RunPaths::finished_folds() const {
  std::vector<int> folds;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(backbone_dir, ec)) {
    const int k = fold_of(entry.path().filename().string());
    if (k >= 0 && fs::exists(result_csv(k))) folds.push_back(k);
  }
  std::sort(folds.begin(), folds.end());
  return folds;
}

std::vector<std::string> trained_backbones(const std::string& out_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(out_dir, ec)) {
    const auto name = entry.path().filename().string();
    if (entry.is_directory() && fs::exists(RunPaths::of(out_dir, name).folds_csv())) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace steel::run
