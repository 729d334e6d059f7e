#include "steel/loader/batch_plan.h"

#include <numeric>
#include <random>

#include <torch/torch.h>

#include "steel/core/seeded_random.h"

namespace steel::loader {

TrainBatchPlan::TrainBatchPlan(int64_t records, int64_t global_batch, uint64_t seed, int64_t epoch)
    : global_batch_(global_batch) {
  TORCH_CHECK(records >= 0 && global_batch > 0, "TrainBatchPlan: bad sizes ", records, ", ", global_batch);
  order_.resize(static_cast<std::size_t>(records));
  std::iota(order_.begin(), order_.end(), int64_t{0});
  std::mt19937_64 rng(mix_seed(seed, /*stream=*/0x5348, static_cast<uint64_t>(epoch)));
  seeded_shuffle(order_, rng);
}

std::vector<int64_t> TrainBatchPlan::global_batch_records(int64_t b) const {
  TORCH_CHECK(b >= 0 && b < batches(), "TrainBatchPlan: batch ", b, " out of range [0, ", batches(), ")");
  auto first = order_.begin() + b * global_batch_;
  return {first, first + global_batch_};
}

std::optional<int64_t> local_batch_size(int64_t global_batch, int world) {
  if (world <= 0 || global_batch <= 0 || global_batch % world != 0) return std::nullopt;
  return global_batch / world;
}

std::vector<int64_t> TrainBatchPlan::local_batch_records(int64_t b, int rank, int world) const {
  const auto local_size = local_batch_size(global_batch_, world);
  TORCH_CHECK(local_size, "TrainBatchPlan: ", world, " ranks do not divide the global batch of ", global_batch_);
  TORCH_CHECK(rank >= 0 && rank < world, "TrainBatchPlan: rank ", rank, " of ", world);
  const int64_t local = *local_size;
  auto global = global_batch_records(b);
  return {global.begin() + rank * local, global.begin() + (rank + 1) * local};
}

std::vector<std::vector<int64_t>> eval_batches(int64_t records, int64_t local_batch, int rank, int world) {
  TORCH_CHECK(local_batch > 0 && world > 0 && rank >= 0 && rank < world, "eval_batches: bad arguments");
  const int64_t begin = records * rank / world;
  const int64_t end = records * (rank + 1) / world;
  std::vector<std::vector<int64_t>> batches;
  for (int64_t i = begin; i < end; i += local_batch) {
    std::vector<int64_t> batch;
    for (int64_t j = i; j < std::min(end, i + local_batch); ++j) batch.push_back(j);
    batches.push_back(std::move(batch));
  }
  return batches;
}

}  // namespace steel::loader
