// Helpers shared by the optimizer tests: the same start for two optimizers, and their states as bytes.
#pragma once

#include <torch/torch.h>

#include <sstream>
#include <string>
#include <vector>

namespace steel::train::testing {

/// Parameters of several shapes (a conv kernel, a vector, a scalar), from a fixed seed.
inline std::vector<torch::Tensor> make_params() {
  torch::manual_seed(3);
  return {torch::randn({8, 4, 3, 3}).requires_grad_(true), torch::randn({8}).requires_grad_(true),
          torch::randn({}).requires_grad_(true)};
}

/// Independent copies, so that two optimizers start from equal parameters.
inline std::vector<torch::Tensor> clone_params(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> out;
  for (const auto& p : params) out.push_back(p.detach().clone().requires_grad_(true));
  return out;
}

/// What a checkpoint would hold of the optimizer.
inline std::string saved_state(const torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

inline void load_state(torch::optim::Optimizer& optimizer, const std::string& state) {
  std::istringstream in(state);
  torch::serialize::InputArchive archive;
  archive.load_from(in);
  optimizer.load(archive);
}

}  // namespace steel::train::testing
