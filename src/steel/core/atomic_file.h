// Writing a file so that readers see the old content or the new, never a torn one: temp file, fsync, rename.
#pragma once

#include <string>

namespace steel {

/// Writes `bytes` to a temporary file beside `path` (unique per process and call), flushes it to disk, and renames it over `path`. On any failure (a full disk,
/// a missing folder) the temporary file is removed, `path` keeps its previous content, and steel::DataError
/// names the path and the system's reason.
void write_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace steel
