#include "steel/dist/sync_batch_norm.h"

#include <cstdint>
#include <limits>

#include "steel/dist/sync_batch_norm_kernels.h"
#include "steel/models/batch_norm.h"
#include "steel/models/batch_norm_no_scale.h"

namespace steel::dist {
namespace {

// Whether ATen's CUDA SyncBatchNorm kernels were built in (sync_batch_norm_cuda.cpp). The calls to them sit in
// `if constexpr` branches, which need no definition when discarded.
#if STEEL_DIST_WITH_CUDA
constexpr bool kCudaKernels = true;
#else
constexpr bool kCudaKernels = false;
#endif

// The kernels' float32 statistics suit float32, bf16 and fp16 activations; float64 stays on the generic path.
[[maybe_unused]] bool uses_cuda_kernels(const torch::Tensor& x) { return x.is_cuda() && x.scalar_type() != torch::kFloat64; }

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Shape [1,C,1,...] for broadcasting a per-channel vector against x.
std::vector<int64_t> channel_shape(const torch::Tensor& x) {
  std::vector<int64_t> shape(x.dim(), 1);
  shape[1] = x.size(1);
  return shape;
}

// Every dimension except the channel one.
std::vector<int64_t> reduce_dims(const torch::Tensor& x) {
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  return dims;
}

// The per-channel sums of dy and dy*(x-mean) over all ranks, as one buffer [sum_dy | sum_dy_xmu]: one all-reduce.
torch::Tensor all_reduce_grad_sums(Group& group, const torch::Tensor& sum_dy, const torch::Tensor& sum_dy_xmu) {
  std::vector<torch::Tensor> buffer{torch::cat({sum_dy, sum_dy_xmu})};
  group.all_reduce_sum(buffer, "sync_batch_norm");
  return buffer[0];
}

// backward()'s result: the gradients of x, weight and bias; none for the other five arguments of forward().
variable_list input_gradients(torch::Tensor grad_x, torch::Tensor grad_weight, torch::Tensor grad_bias) {
  return {std::move(grad_x), std::move(grad_weight), std::move(grad_bias), torch::Tensor(), torch::Tensor(),
          torch::Tensor(),   torch::Tensor(),        torch::Tensor()};
}

struct SyncBatchNormFunction : public torch::autograd::Function<SyncBatchNormFunction> {
  // Optional tensors: 1.13's Function::apply refuses undefined Tensor arguments but skips empty optionals.
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                               const c10::optional<torch::Tensor>& weight_opt,
                               const c10::optional<torch::Tensor>& bias_opt,
                               const c10::optional<torch::Tensor>& running_mean_opt,
                               const c10::optional<torch::Tensor>& running_var_opt, double momentum, double eps,
                               Group* group) {
    const torch::Tensor weight = weight_opt.value_or(torch::Tensor());
    const torch::Tensor bias = bias_opt.value_or(torch::Tensor());
    torch::Tensor running_mean = running_mean_opt.value_or(torch::Tensor());
    torch::Tensor running_var = running_var_opt.value_or(torch::Tensor());
    const int64_t channels = x.size(1);
    const auto dims = reduce_dims(x);
    const auto shape = channel_shape(x);
    // [sum | sum of squares | count]: one buffer, one all-reduce.
    auto stats = torch::empty({2 * channels + 1}, x.options().dtype(torch::kFloat64));
    stats.narrow(0, 0, channels).copy_(x.sum(dims, /*keepdim=*/false, torch::kFloat64));
    stats.narrow(0, channels, channels).copy_(x.square().sum(dims, /*keepdim=*/false, torch::kFloat64));
    const int64_t local_count = x.numel() / channels;
    stats.narrow(0, 2 * channels, 1).fill_(static_cast<double>(local_count));
    std::vector<torch::Tensor> buffer{stats};
    group->all_reduce_sum(buffer, "sync_batch_norm");
    // The count stays a tensor: reading it on the host would stall a GPU's queue at every layer. Only a rank
    // with a single value per channel must look, to know whether the other ranks make up for it.
    const auto count = stats.narrow(0, 2 * channels, 1);
    if (local_count <= 1) {
      TORCH_CHECK(count.item<double>() > 1, "sync_batch_norm: expected more than 1 value per channel across all "
                  "ranks, got ", count.item<double>(), " (input shape ", x.sizes(), ")");
    }
    const auto mean = stats.narrow(0, 0, channels) / count;
    const auto var = (stats.narrow(0, channels, channels) / count - mean.square()).clamp_min(0);
    const auto invstd = (var + eps).rsqrt();

    if (running_mean.defined()) {
      running_mean.mul_(1 - momentum).add_(mean.to(running_mean.dtype()), momentum);
    }
    if (running_var.defined()) {
      running_var.mul_(1 - momentum).add_((var * (count / (count - 1))).to(running_var.dtype()), momentum);
    }

    // The Group outlives the graph: the layer that called us holds a shared_ptr to it.
    ctx->saved_data["group"] = reinterpret_cast<int64_t>(group);
    ctx->saved_data["count"] = count;
    // Parameter gradients keep their parameter's dtype (float32 under autocast), not x's.
    ctx->saved_data["bias_dtype"] = bias.defined() ? static_cast<int64_t>(bias.scalar_type()) : int64_t{-1};
    if constexpr (kCudaKernels) {
      if (uses_cuda_kernels(x)) {
        // The kernels count values per channel in int32 (summed in int64 from per-rank counts).
        TORCH_CHECK(local_count * group->size() <= std::numeric_limits<int32_t>::max(),
                    "sync_batch_norm: ", local_count, " values per channel on each of ", group->size(),
                    " ranks exceed the CUDA kernels' int32 count");
        const auto mean32 = mean.to(torch::kFloat32), invstd32 = invstd.to(torch::kFloat32);
        ctx->save_for_backward({x, weight, mean32, invstd32});
        return cuda_kernels::normalize(x, weight, bias, mean32, invstd32);
      }
    }
    // y = x * scale + shift with scale = w * invstd and shift = b - mean * scale, per channel.
    auto scale = weight.defined() ? invstd * weight.to(torch::kFloat64) : invstd;
    auto shift = -mean * scale;
    if (bias.defined()) shift = shift + bias.to(torch::kFloat64);
    ctx->save_for_backward({x, weight, mean, invstd});
    return x * scale.to(x.scalar_type()).view(shape) + shift.to(x.scalar_type()).view(shape);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& weight = saved[1];
    const auto& mean = saved[2];
    const auto& invstd = saved[3];
    auto* group = reinterpret_cast<Group*>(ctx->saved_data["group"].toInt());
    const auto count = ctx->saved_data["count"].toTensor();
    const auto dy = grad_outputs[0].contiguous(x.suggest_memory_format());
    const int64_t channels = x.size(1);
    const int64_t bias_code = ctx->saved_data["bias_dtype"].toInt();
    const auto bias_dtype =
        bias_code < 0 ? c10::nullopt : c10::optional<at::ScalarType>(static_cast<at::ScalarType>(bias_code));
    if constexpr (kCudaKernels) {
      if (uses_cuda_kernels(x)) {
        auto local = cuda_kernels::reduce_grads(dy, x, mean, invstd, weight, bias_dtype);
        torch::Tensor grad_x;
        if (ctx->needs_input_grad(0)) {
          const auto sums = all_reduce_grad_sums(*group, local.sum_dy, local.sum_dy_xmu);
          grad_x = cuda_kernels::input_grad(dy, x, mean, invstd, weight, sums.narrow(0, 0, channels),
                                            sums.narrow(0, channels, channels), count);
        }
        return input_gradients(grad_x, local.grad_weight, local.grad_bias);
      }
    }
    const auto dims = reduce_dims(x);
    const auto shape = channel_shape(x);

    const auto xmu = x.to(torch::kFloat64) - mean.view(shape);
    const auto local_sum_dy = dy.sum(dims, /*keepdim=*/false, torch::kFloat64);
    const auto local_sum_dy_xmu = (dy.to(torch::kFloat64) * xmu).sum(dims);

    torch::Tensor grad_weight, grad_bias;
    // Absent weight or bias must get an undefined gradient. (needs_input_grad() would count only the
    // tensors that were passed, so its indices shift when weight is absent; these sums are cheap anyway.)
    if (weight.defined()) grad_weight = (local_sum_dy_xmu * invstd).to(weight.scalar_type());
    if (bias_dtype) grad_bias = local_sum_dy.to(*bias_dtype);

    torch::Tensor grad_x;
    if (ctx->needs_input_grad(0)) {
      const auto sums = all_reduce_grad_sums(*group, local_sum_dy, local_sum_dy_xmu);
      const auto mean_dy = sums.narrow(0, 0, channels) / count;
      const auto mean_dy_xmu = sums.narrow(0, channels, channels) / count;
      // d/dx of the loss summed over all ranks, the ranks coupled through the shared mean and variance.
      const auto scale = weight.defined() ? invstd * weight.to(torch::kFloat64) : invstd;
      grad_x = ((dy.to(torch::kFloat64) - mean_dy.view(shape) -
                 xmu * (invstd.square() * mean_dy_xmu).view(shape)) *
                scale.view(shape))
                   .to(x.scalar_type());
    }
    return input_gradients(grad_x, grad_weight, grad_bias);
  }
};

}  // namespace

torch::Tensor sync_batch_norm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                              torch::Tensor& running_mean, torch::Tensor& running_var, double momentum, double eps,
                              Group& group) {
  TORCH_CHECK(x.dim() >= 2, "sync_batch_norm: expected input [N,C,...], got shape ", x.sizes());
  const auto optional = [](const torch::Tensor& t) {
    return t.defined() ? c10::optional<torch::Tensor>(t) : c10::optional<torch::Tensor>();
  };
  return SyncBatchNormFunction::apply(x, optional(weight), optional(bias), optional(running_mean),
                                      optional(running_var), momentum, eps, &group);
}

int enable_sync_batch_norm(torch::nn::Module& model, std::shared_ptr<Group> group) {
  TORCH_CHECK(group, "enable_sync_batch_norm: group is null");
  if (group->size() == 1) return 0;
  auto hook = [group](const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                      torch::Tensor& running_mean, torch::Tensor& running_var, double momentum, double eps) {
    return sync_batch_norm(x, weight, bias, running_mean, running_var, momentum, eps, *group);
  };
  int hooked = 0;
  for (const auto& module : model.modules(/*include_self=*/true)) {
    if (auto* bn = dynamic_cast<models::BatchNorm2dImpl*>(module.get())) {
      bn->set_train_forward(hook);
      ++hooked;
    } else if (auto* bn_no_scale = dynamic_cast<models::BatchNormNoScale2dImpl*>(module.get())) {
      bn_no_scale->set_train_forward(hook);
      ++hooked;
    }
  }
  return hooked;
}

}  // namespace steel::dist
