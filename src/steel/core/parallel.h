// A parallel-for over an index range on plain std::threads: the data tools' only threading primitive.
#pragma once

#include <cstddef>
#include <functional>

namespace steel {

/// The CPUs this process may run on (its affinity mask: what Slurm's --cpus-per-task or mpirun's binding
/// left it), at least 1.
int usable_cpus();

/// Number of worker threads to use when the caller asked for `requested` (0 = every usable CPU).
int resolve_threads(int requested);

/// LibTorch intra-op threads for one of `ranks_on_host` processes sharing this host: `requested` when > 0,
/// else OMP_NUM_THREADS when set (LibTorch's own convention), else this process's share of its usable
/// CPUs, at least 1. LibTorch's built-in default can be wrong both ways: all cores for each of several
/// ranks (oversubscribed), or a single thread where it misreads a virtual machine's cores.
int intra_op_threads(int requested, int ranks_on_host);

/// Calls fn(i) for every i in [0, n) on `threads` threads, handing out indices dynamically so that
/// uneven work (a multi-defect image next to a clean one) balances. The first exception thrown by
/// any call is rethrown on the calling thread after all workers stop; remaining indices are skipped.
void parallel_for(std::size_t n, int threads, const std::function<void(std::size_t)>& fn);

}  // namespace steel
