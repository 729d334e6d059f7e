// Who and where this process is: the host name, the CPU model and the owner of a lock, for logs and run records.
#pragma once

#include <string>

namespace steel {

/// gethostname(), or `fallback` where the system gives none.
std::string host_name(const std::string& fallback = "localhost");

/// The CPU's model name from /proc/cpuinfo ("unknown" elsewhere), for reading run times and benchmarks later.
std::string cpu_model();

/// "host pid N", plus ", slurm job J_T" (array task) or ", slurm job J" under Slurm: who holds a run lock, as
/// `steel_sweep --status` shows it.
std::string process_owner();

}  // namespace steel
