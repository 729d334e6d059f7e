// Test support: a unique temporary folder removed with everything in it when the test ends.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace steel::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// Writes `content` to `path` byte for byte.
void write_file(const std::string& path, const std::string& content);

/// Names of the entries directly inside `dir`, sorted.
std::vector<std::string> list_dir(const std::filesystem::path& dir);

}  // namespace steel::testing
