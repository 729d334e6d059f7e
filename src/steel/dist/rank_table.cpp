#include "steel/dist/rank_table.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <vector>

#include <spdlog/spdlog.h>

#include "steel/core/host.h"

namespace steel::dist {

std::string rank_table(Group& group, const std::string& device_description) {
  const char kSep = '\x1f';  // unit separator: cannot appear in a host name or a device description
  const std::vector<std::string> rows =
      group.all_gather_string(host_name("?") + kSep + std::to_string(group.local_rank()) + kSep +
                              device_description);
  std::vector<std::array<std::string, 4>> cells;
  std::array<size_t, 4> width{4, 4, 10, 6};
  for (size_t r = 0; r < rows.size(); ++r) {
    std::array<std::string, 4> row{std::to_string(r), "", "", ""};
    size_t start = 0;
    for (int c = 1; c < 4; ++c) {
      const size_t end = c < 3 ? rows[r].find(kSep, start) : std::string::npos;
      row[c] = rows[r].substr(start, end == std::string::npos ? std::string::npos : end - start);
      start = end == std::string::npos ? rows[r].size() : end + 1;
    }
    for (int c = 0; c < 4; ++c) width[c] = std::max(width[c], row[c].size());
    cells.push_back(row);
  }
  auto line = [&](const std::array<std::string, 4>& row) {
    std::string out;
    for (int c = 0; c < 4; ++c) {
      out += row[c] + std::string(width[c] - row[c].size(), ' ');
      out += c < 3 ? "  " : "";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string table = line({"rank", "host", "local_rank", "device"});
  for (const auto& row : cells) table += line(row);
  table += "# " + std::to_string(group.size()) + " rank(s), backend " + group.backend() + "\n";
  if (group.is_main()) spdlog::info("ranks:\n{}", table);
  return table;
}

}  // namespace steel::dist
