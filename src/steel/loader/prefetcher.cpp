#include "steel/loader/prefetcher.h"

#include <chrono>

#include "steel/core/seeded_random.h"
#include "steel/data/record_encoding.h"
#include "steel/loader/batch_plan.h"

namespace steel::loader {

Batch assemble_batch(const ShardSet& data, const std::vector<int64_t>& records, const PrefetcherOptions& options) {
  const int64_t n = static_cast<int64_t>(records.size());
  const int64_t h = data.height();
  const int64_t w = data.width();
  const int64_t plane = h * w;
  auto opts = torch::TensorOptions().dtype(torch::kFloat32).pinned_memory(options.pin_memory);
  Batch batch;
  batch.images = torch::empty({n, data::kInputChannels, h, w}, opts);
  batch.masks = torch::empty({n, data::kNumClasses, h, w}, opts);
  batch.records = records;
  std::vector<uint8_t> image(static_cast<std::size_t>(plane));
  std::vector<uint8_t> mask(static_cast<std::size_t>(plane));
  float* images = batch.images.data_ptr<float>();
  float* masks = batch.masks.data_ptr<float>();
  for (int64_t b = 0; b < n; ++b) {
    const auto [reader, index] = data.locate(records[static_cast<std::size_t>(b)]);
    const auto image_chunk = reader->read_image_chunk(index);
    const auto mask_chunk = reader->read_mask_chunk(index);
    reader->decompress(image_chunk, image.data(), index);
    reader->decompress(mask_chunk, mask.data(), index);

    bool hflip = false;
    bool vflip = false;
    if (options.flips) {
      const uint64_t r = mix_seed(options.seed, static_cast<uint64_t>(options.epoch) + 1,
                                  static_cast<uint64_t>(records[static_cast<std::size_t>(b)]));
      hflip = (r & 1U) != 0;
      vflip = (r & 2U) != 0;
    }
    data::decode_record(image.data(), mask.data(), h, w, hflip, vflip, images + b * data::kInputChannels * plane,
                        masks + b * data::kNumClasses * plane);
  }
  return batch;
}

PrefetcherOptions ordered_loader(int threads, int depth, const torch::Device& device) {
  PrefetcherOptions options;
  options.threads = threads;
  options.depth = depth;
  options.pin_memory = device.is_cuda();
  return options;
}

Prefetcher::Prefetcher(const ShardSet& data, std::vector<std::vector<int64_t>> batches, PrefetcherOptions options)
    : data_(data), batches_(std::move(batches)), options_(options) {
  const int threads = std::max(1, options_.threads);
  options_.depth = std::max(1, options_.depth);
  for (int t = 0; t < threads; ++t) workers_.emplace_back([this] { work(); });
}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  space_.notify_all();
  for (auto& t : workers_) t.join();
}

Batch Prefetcher::assemble(const std::vector<int64_t>& records) const {
  return assemble_batch(data_, records, options_);
}

void Prefetcher::work() {
  for (;;) {
    std::size_t job = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      space_.wait(lock, [&] {
        return stop_ || error_ || next_to_start_ >= batches_.size() ||
               next_to_start_ < next_to_deliver_ + static_cast<std::size_t>(options_.depth);
      });
      if (stop_ || error_ || next_to_start_ >= batches_.size()) return;
      job = next_to_start_++;
    }
    try {
      Batch batch = assemble(batches_[job]);
      std::lock_guard<std::mutex> lock(mutex_);
      done_.emplace(job, std::move(batch));
    } catch (...) {
      // Jobs start in order, so every batch before this one is already being built and still gets delivered.
      std::lock_guard<std::mutex> lock(mutex_);
      failed_.emplace(job, std::current_exception());
      error_ = true;
    }
    ready_.notify_all();
  }
}

std::optional<Batch> Prefetcher::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (next_to_deliver_ >= batches_.size()) return std::nullopt;
  const auto start = std::chrono::steady_clock::now();
  ready_.wait(lock, [&] { return done_.count(next_to_deliver_) != 0 || failed_.count(next_to_deliver_) != 0; });
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (auto failed = failed_.find(next_to_deliver_); failed != failed_.end()) std::rethrow_exception(failed->second);
  auto node = done_.extract(next_to_deliver_++);
  lock.unlock();
  space_.notify_all();
  return std::move(node.mapped());
}

}  // namespace steel::loader
