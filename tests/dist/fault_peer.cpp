// Two processes started by fault_test.sh with RANK/WORLD_SIZE/MASTER_*: one rank dies or stalls after the
// group is formed, and the other must leave its next collective with a DistError (exit code 4) in bounded
// time instead of hanging. Usage: steel_fault_peer <victim rank> <die|stall> <timeout ms>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include "steel/cli/guarded_main.h"
#include "steel/core/error.h"
#include "steel/dist/group.h"

int main(int argc, char** argv) {
  return steel::cli::guarded_main("steel_fault_peer", [&]() -> int {
    if (argc != 4) throw steel::ConfigError("usage: steel_fault_peer <victim rank> <die|stall> <timeout ms>");
    const int victim = std::stoi(argv[1]);
    const std::string mode = argv[2];
    const auto timeout = std::chrono::milliseconds(std::stoi(argv[3]));
    namespace dist = steel::dist;
    auto group = dist::Group::create(dist::detect_launch(), torch::kCPU, dist::GroupOptions().timeout(timeout));
    std::vector<torch::Tensor> t{torch::ones({4})};
    group->all_reduce_sum(t);
    if (group->rank() == victim) {
      if (mode == "die") _exit(9);  // no destructors, no goodbye: as a crash or an OOM kill
      std::this_thread::sleep_for(std::chrono::minutes(10));  // stall; fault_test.sh kills us
    }
    // Give the victim time to be gone, then step into a collective that cannot complete.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (int step = 0; step < 1000; ++step) group->all_reduce_sum(t);
    spdlog::error("rank {}: collectives kept succeeding without rank {}", group->rank(), victim);
    return 0;
  });
}
