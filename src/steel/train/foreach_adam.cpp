#include "steel/train/foreach_adam.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "steel/train/adam_state.h"

namespace steel::train {
namespace {

struct Bucket {
  std::vector<torch::Tensor> params, grads, exp_avgs, exp_avg_sqs;
};

}  // namespace

torch::Tensor ForeachAdam::step(LossClosure closure) {
  for (const auto& group : param_groups()) {
    if (static_cast<const torch::optim::AdamOptions&>(group.options()).amsgrad()) return Adam::step(closure);
  }
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups()) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    const auto [beta1, beta2] = options.betas();
    // Bias correction depends on the step count, so parameters are grouped by it (they differ only when some
    // parameter had no gradient at some step).
    std::map<int64_t, Bucket> buckets;
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      TORCH_CHECK(!p.grad().is_sparse(), "ForeachAdam does not support sparse gradients");
      auto& s = adam_state(*this, p);
      s.step(s.step() + 1);
      Bucket& bucket = buckets[s.step()];
      bucket.params.push_back(p);
      bucket.grads.push_back(options.weight_decay() != 0 ? p.grad().add(p, options.weight_decay()) : p.grad());
      bucket.exp_avgs.push_back(s.exp_avg());
      bucket.exp_avg_sqs.push_back(s.exp_avg_sq());
    }
    for (auto& [step, b] : buckets) {
      // Adam's own arithmetic, operation for operation.
      const double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(step));
      const double bias_correction2 = 1 - std::pow(beta2, static_cast<double>(step));
      at::_foreach_mul_(b.exp_avgs, beta1);
      at::_foreach_add_(b.exp_avgs, b.grads, 1 - beta1);
      at::_foreach_mul_(b.exp_avg_sqs, beta2);
      at::_foreach_addcmul_(b.exp_avg_sqs, b.grads, b.grads, 1 - beta2);
      auto denoms = at::_foreach_sqrt(b.exp_avg_sqs);
      at::_foreach_div_(denoms, std::sqrt(bias_correction2));
      at::_foreach_add_(denoms, options.eps());
      at::_foreach_addcdiv_(b.params, b.exp_avgs, denoms, -options.lr() / bias_correction1);
    }
  }
  return loss;
}

}  // namespace steel::train
