// The tool version written into every artefact (shard attributes, run.json).
#pragma once

namespace steel {
constexpr const char* kVersion = "0.1.0";
}  // namespace steel
