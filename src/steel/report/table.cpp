#include "steel/report/table.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace steel::report {
namespace {

constexpr const char* kNone = "–";

int column_of(const Table& t, const std::string& name) {
  const auto it = std::find(t.header.begin(), t.header.end(), name);
  return it == t.header.end() ? -1 : static_cast<int>(it - t.header.begin());
}

std::string cell(const std::vector<std::string>* row, int column) {
  if (row == nullptr || column < 0 || static_cast<std::size_t>(column) >= row->size()) return "";
  return (*row)[static_cast<std::size_t>(column)];
}

// Backbones in the table's order, with their steel and thesis rows.
struct Pair {
  std::string backbone;
  const std::vector<std::string>* steel = nullptr;
  const std::vector<std::string>* thesis = nullptr;
};

std::vector<Pair> pairs_of(const Table& t) {
  std::vector<Pair> out;
  for (const auto& row : t.rows) {
    if (row.size() < 2) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const Pair& p) { return p.backbone == row[0]; });
    if (it == out.end()) it = out.insert(out.end(), Pair{row[0]});
    (row[1] == "thesis" ? it->thesis : it->steel) = &row;
  }
  return out;
}

// A measured value as a person reads it: 4 significant digits for fractions ("0.0146873845" -> "0.01469");
// integers (parameter counts, confusion counts) and non-numbers as they are.
std::string readable(const std::string& value) {
  if (value.find_first_of(".eE") == std::string::npos) return value;
  char* end = nullptr;
  const double number = std::strtod(value.c_str(), &end);
  if (end == value.c_str() || *end != '\0') return value;
  char out[32];
  std::snprintf(out, sizeof out, "%.4g", number);
  return out;
}

bool has_values(const std::vector<std::string>* row) {
  return row != nullptr && std::any_of(row->begin() + 2, row->end(), [](const std::string& c) { return !c.empty(); });
}

}  // namespace

std::string Table::csv() const {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cells[i];
    out += "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
  return out;
}

std::string Table::markdown() const {
  std::string out = "|";
  for (const auto& h : header) out += " " + h + " |";
  out += "\n|";
  for (std::size_t i = 0; i < header.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& r : rows) {
    out += "|";
    for (const auto& c : r) out += " " + (c.empty() ? std::string("missing") : c) + " |";
    out += "\n";
  }
  return out;
}

Table beside_thesis(const Table& full, const std::vector<std::string>& columns) {
  Table t;
  t.header.push_back("backbone");
  for (const auto& c : columns) t.header.push_back(c + " (steel / thesis)");
  for (const auto& p : pairs_of(full)) {
    std::vector<std::string> row{p.backbone};
    for (const auto& c : columns) {
      const int i = column_of(full, c);
      const auto ours = readable(cell(p.steel, i));
      const auto theirs = cell(p.thesis, i);  // as the thesis printed it
      row.push_back((ours.empty() ? kNone : ours) + " / " + (theirs.empty() ? kNone : theirs));
    }
    t.rows.push_back(row);
  }
  return t;
}

Table steel_extras(const Table& full, const std::vector<std::string>& lead) {
  std::vector<std::string> shown;
  for (std::size_t i = 2; i < full.header.size(); ++i) {
    if (std::find(lead.begin(), lead.end(), full.header[i]) == lead.end()) shown.push_back(full.header[i]);
  }
  // "x_std" folds into "x" or "avg_x" when that column is shown here.
  std::map<std::string, std::string> spread_of;
  for (const auto& name : shown) {
    if (name.size() <= 4 || name.compare(name.size() - 4, 4, "_std") != 0) continue;
    const std::string base = name.substr(0, name.size() - 4);
    for (const auto& mean : {base, "avg_" + base}) {
      if (std::find(shown.begin(), shown.end(), mean) != shown.end()) spread_of[mean] = name;
    }
  }
  Table t;
  t.header.push_back("backbone");
  std::vector<std::string> columns;
  for (const auto& name : shown) {
    const bool merged =
        std::any_of(spread_of.begin(), spread_of.end(), [&](const auto& kv) { return kv.second == name; });
    if (merged) continue;
    columns.push_back(name);
    t.header.push_back(spread_of.count(name) ? name + " ± sd" : name);
  }
  for (const auto& p : pairs_of(full)) {
    if (!has_values(p.steel)) continue;
    std::vector<std::string> row{p.backbone};
    for (const auto& name : columns) {
      std::string value = readable(cell(p.steel, column_of(full, name)));
      if (value.empty()) value = kNone;
      if (const auto s = spread_of.find(name); s != spread_of.end()) {
        const auto sd = readable(cell(p.steel, column_of(full, s->second)));
        if (!sd.empty()) value += " ± " + sd;
      }
      row.push_back(value);
    }
    t.rows.push_back(row);
  }
  return t;
}

}  // namespace steel::report
