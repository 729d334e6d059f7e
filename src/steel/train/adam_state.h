// Finding or creating a parameter's Adam state in a torch::optim optimizer, whichever key type this LibTorch
// uses; shared by the Adam variants (ForeachAdam, CapturableAdam) so their checkpoints stay interchangeable.
#pragma once

#include <sstream>
#include <string>
#include <type_traits>

#include <torch/torch.h>

namespace steel::train {

/// The state of `p` in `optimizer`, created as torch::optim::Adam creates it (step 0, zero moments in p's
/// memory format) when there is none yet.
/// (A template only so that the key type is dependent and the branch for the other LibTorch is discarded.)
template <class Optimizer = torch::optim::Optimizer>
torch::optim::AdamParamState& adam_state(Optimizer& optimizer, const torch::Tensor& p) {
  auto& states = optimizer.state();
  // Keyed by the parameter's TensorImpl: as a string in LibTorch 1.x, as the pointer in later releases.
  using Key = typename std::remove_reference_t<decltype(states)>::key_type;
  Key key{};
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream address;  // what 1.x's c10::guts::to_string(impl) writes, an API 2.x no longer has
    address << p.unsafeGetTensorImpl();
    key = address.str();
  } else {
    key = static_cast<Key>(p.unsafeGetTensorImpl());
  }
  auto it = states.find(key);
  if (it == states.end()) {
    auto fresh = std::make_unique<torch::optim::AdamParamState>();
    fresh->step(0);
    fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    it = states.emplace(key, std::move(fresh)).first;
  }
  return static_cast<torch::optim::AdamParamState&>(*it->second);
}

}  // namespace steel::train
