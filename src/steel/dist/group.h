// TEMPORARY single-process stand-in for the c10d Group being written on branch `dist`; replaced at merge.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace steel::dist {

class Group {
 public:
  int rank() const { return 0; }
  int size() const { return 1; }
  int local_rank() const { return 0; }
  bool is_main() const { return true; }
  std::string backend() const { return "none"; }
  void all_reduce_sum(std::vector<torch::Tensor>&) {}
  bool any(bool flag) { return flag; }
  void broadcast(std::vector<torch::Tensor>&, int = 0) {}
  void barrier() {}
  int64_t collective_calls() const { return 0; }
};

}  // namespace steel::dist
