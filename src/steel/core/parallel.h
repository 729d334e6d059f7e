// A parallel-for over an index range on plain std::threads: the data tools' only threading primitive.
#pragma once

#include <cstddef>
#include <functional>

namespace steel {

/// Number of worker threads to use when the caller asked for `requested` (0 = every core).
int resolve_threads(int requested);

/// Calls fn(i) for every i in [0, n) on `threads` threads, handing out indices dynamically so that
/// uneven work (a multi-defect image next to a clean one) balances. The first exception thrown by
/// any call is rethrown on the calling thread after all workers stop; remaining indices are skipped.
void parallel_for(std::size_t n, int threads, const std::function<void(std::size_t)>& fn);

}  // namespace steel
