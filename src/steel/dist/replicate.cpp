#include "steel/dist/replicate.h"

#include <sstream>

#include "steel/core/error.h"

namespace steel::dist {
namespace {

std::vector<torch::Tensor> state_of(const torch::nn::Module& module) {
  std::vector<torch::Tensor> tensors = module.parameters(/*recurse=*/true);
  for (const auto& b : module.buffers(/*recurse=*/true)) tensors.push_back(b);
  return tensors;
}

}  // namespace

void broadcast_module_state(torch::nn::Module& module, Group& group) {
  // In-place writes to leaves that require grad are refused by autograd unless grad mode is off.
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> tensors = state_of(module);
  group.broadcast(tensors, /*root=*/0);
}

void verify_replicas(const torch::nn::Module& module, Group& group) {
  torch::NoGradGuard no_grad;
  // Two sums: a plain one and one weighted by position, so a permutation of values changes the second.
  auto sums = torch::zeros({2}, torch::kFloat64);
  for (const auto& t : state_of(module)) {
    const auto flat = t.detach().to(torch::kCPU, torch::kFloat64).reshape({-1});
    const auto weights = torch::arange(1, flat.numel() + 1, torch::kFloat64).remainder_(97).add_(1);
    sums[0] += flat.sum();
    sums[1] += (flat * weights).sum();
  }
  // Every rank fills only its own row, so the sum is exact and gathers the checksums in one collective.
  auto table = torch::zeros({group.size(), 2}, torch::kFloat64);
  table[group.rank()] = sums;
  std::vector<torch::Tensor> tensors{table.to(group.device())};
  group.all_reduce_sum(tensors);
  table = tensors[0].cpu();
  std::vector<int> differ;
  for (int r = 1; r < group.size(); ++r) {
    if (!torch::equal(table[r], table[0])) differ.push_back(r);
  }
  if (differ.empty()) return;
  std::ostringstream msg;
  msg << "model replicas differ from rank 0's (checksum " << table[0][0].item<double>() << ") on rank";
  if (differ.size() > 1) msg << "s";
  for (size_t i = 0; i < differ.size(); ++i) {
    msg << (i ? ", " : " ") << differ[i] << " (" << table[differ[i]][0].item<double>() << ")";
  }
  msg << "; broadcast_module_state() must run on every rank after the model is built";
  throw DistError(msg.str());
}

}  // namespace steel::dist
