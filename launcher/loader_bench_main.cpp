// steel_loader_bench: how fast the prefetcher alone delivers training batches (docs/BENCHMARKS.md), to compare
// with the rate at which a training step consumes them.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "steel/cli/guarded_main.h"
#include "steel/core/error.h"
#include "steel/core/logging.h"
#include "steel/loader/batch_plan.h"
#include "steel/loader/prefetcher.h"
#include "steel/loader/shard_set.h"

int main(int argc, char** argv) {
  steel::logging::init();
  return steel::cli::guarded_main("steel_loader_bench", [&] {
    if (argc < 2) throw steel::ConfigError("usage: steel_loader_bench PREP_DIR [batch=16] [threads=2] [epochs=2]");
    const std::string prep = argv[1];
    const int batch = argc > 2 ? std::atoi(argv[2]) : 16;
    const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
    const int epochs = argc > 4 ? std::atoi(argv[4]) : 2;
    auto fold = steel::loader::open_fold(prep, 0);
    int64_t images = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int e = 0; e < epochs; ++e) {
      const steel::loader::TrainBatchPlan plan(fold.train->size(), batch, 1, e);
      std::vector<std::vector<int64_t>> batches;
      for (int64_t b = 0; b < plan.batches(); ++b) batches.push_back(plan.global_batch_records(b));
      steel::loader::PrefetcherOptions o;
      o.threads = threads;
      o.flips = true;
      steel::loader::Prefetcher loader(*fold.train, std::move(batches), o);
      while (auto b = loader.next()) images += b->images.size(0);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("prefetcher: %lld images of %dx%d in %.3f s with %d threads: %.1f images/s\n",
                static_cast<long long>(images), fold.train->height(), fold.train->width(), seconds, threads,
                static_cast<double>(images) / seconds);
    return 0;
  });
}
