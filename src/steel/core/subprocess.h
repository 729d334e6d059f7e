// Running another program (mpirun, steel_train, sbatch) without a shell: argv in, exit code and output back.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace steel {

/// Runs argv[0] (looked up on PATH) with the given arguments and extra environment variables, waits, and returns
/// its exit code (128 + signal number when it was killed by a signal). When `captured` is given, the child's
/// standard output is collected into it instead of being inherited. Throws std::runtime_error when the program
/// cannot be started.
int run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra_env = {},
                std::string* captured = nullptr);

/// The command as a shell would show it, quoted where needed (for logs and --dry-run).
std::string shell_quote(const std::vector<std::string>& argv);

}  // namespace steel
