#include "steel/sweep/run_status.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "steel/core/run_lock.h"
#include "steel/run/run_paths.h"

namespace steel::sweep {
namespace fs = std::filesystem;

std::string to_string(RunState state) {
  switch (state) {
    case RunState::kStarted: return "started";
    case RunState::kRunning: return "running";
    case RunState::kFailed: return "failed";
    case RunState::kFinished: return "finished";
    default: return "pending";
  }
}

std::vector<RunStatus> collect_status(const std::string& out_dir, const std::vector<std::string>& backbones,
                                      const std::vector<int>& folds) {
  std::vector<RunStatus> out;
  for (const auto& b : backbones) {
    for (int f : folds) {
      RunStatus s;
      s.backbone = b;
      s.fold = f;
      // The trainer's own names for its files, so the two cannot drift apart.
      const auto paths = run::RunPaths::of(out_dir, b);
      std::ifstream metrics(paths.metrics_csv(f));
      std::string line;
      while (std::getline(metrics, line)) s.epochs_done += line.empty() ? 0 : 1;
      s.epochs_done = std::max(0, s.epochs_done - 1);
      if (fs::exists(paths.result_csv(f))) {
        s.state = RunState::kFinished;
      } else if (auto owner = RunLock::holder(paths.run_lock(f))) {
        s.state = RunState::kRunning;
        s.note = *owner;
      } else if (fs::exists(paths.sweep_failed(f))) {
        s.state = RunState::kFailed;
        std::ifstream why(paths.sweep_failed(f));
        std::getline(why, s.note);
      } else if (fs::exists(paths.checkpoint(f))) {
        s.state = RunState::kStarted;
      }
      out.push_back(s);
    }
  }
  return out;
}

std::string status_table(const std::vector<RunStatus>& runs) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-18s %4s  %-9s %6s  %s\n", "backbone", "fold", "state", "epochs", "note");
  out += line;
  std::map<std::string, int> counts;
  for (const auto& r : runs) {
    std::snprintf(line, sizeof line, "%-18s %4d  %-9s %6d  %s\n", r.backbone.c_str(), r.fold,
                  to_string(r.state).c_str(), r.epochs_done, r.note.c_str());
    out += line;
    ++counts[to_string(r.state)];
  }
  out += std::to_string(runs.size()) + " runs:";
  for (const auto& [state, n] : counts) out += " " + std::to_string(n) + " " + state;
  return out + "\n";
}

}  // namespace steel::sweep
