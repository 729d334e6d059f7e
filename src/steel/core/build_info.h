// Facts about the build: the source revision run records carry, and where the source tree's configs are.
#pragma once

namespace steel {

/// `git describe --always --dirty` when the library was built, or "unknown" outside a git checkout.
const char* source_revision();
/// The configs/ folder of the source tree this binary was built from (steel_train's default config folder).
const char* source_config_dir();

}  // namespace steel
