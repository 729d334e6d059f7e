// The start-up table of where each rank runs (rank, host, local rank, device), gathered from all ranks.
#pragma once

#include <string>

#include "steel/dist/group.h"

namespace steel::dist {

/// Gathers rank, host, local rank and `device_description` (e.g. "cuda:1 NVIDIA A100" or "cpu, 16
/// threads") from every rank and returns the same fixed-width table on all of them; rank 0 also logs it at
/// info level. A collective: every rank must call it.
std::string rank_table(Group& group, const std::string& device_description);

}  // namespace steel::dist
