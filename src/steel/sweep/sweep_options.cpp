#include "steel/sweep/sweep_options.h"

#include <sstream>

#include "steel/core/error.h"

namespace steel::sweep {

std::vector<std::string> split_args(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string word;
  while (in >> word) out.push_back(word);
  return out;
}

void validate(const SweepOptions& o) {
  if (o.mode != "local" && o.mode != "slurm") throw ConfigError("--mode '" + o.mode + "': expected local or slurm");
  if (o.data_dir.empty()) throw ConfigError("--data is required: a steel_prep output folder");
  if (o.backbones.empty()) throw ConfigError("--backbones must name at least one backbone");
  for (int f : o.folds) {
    if (f < 0) throw ConfigError("--folds: fold numbers start at 0, got " + std::to_string(f));
  }
  if (o.ranks < 1) throw ConfigError("--ranks must be at least 1");
  if (o.nodes < 1 || o.nodes > o.ranks) {
    throw ConfigError("--nodes " + std::to_string(o.nodes) + ": expected 1.." + std::to_string(o.ranks) +
                      " (at least one rank per node)");
  }
  if (o.launcher != "srun" && o.launcher != "mpirun") {
    throw ConfigError("--launcher '" + o.launcher + "': expected srun or mpirun");
  }
  if (o.gpus_per_task < 0 || o.cpus_per_task < 1) throw ConfigError("--gpus-per-task >= 0, --cpus-per-task >= 1");
}

}  // namespace steel::sweep
