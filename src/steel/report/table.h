// A report table, and the two readable views of it that a person reads: the thesis's own columns with steel's
// value beside the thesis's, and steel's other columns (spreads, extra metrics) in a second table.
#pragma once

#include <string>
#include <vector>

namespace steel::report {

/// A table as written to CSV and Markdown: a header and rows of cells; an empty cell is a missing value
/// (written empty in CSV and as "missing" in Markdown, never as 0). Rows carry `backbone` and `source`
/// ("steel" or "thesis") in their first two columns.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string csv() const;
  std::string markdown() const;
};

/// One row per backbone and one column per name in `columns`, each cell "steel / thesis" ("–" for a value
/// nobody has): the comparison a reader makes, in as many columns as the thesis's own figure has.
Table beside_thesis(const Table& full, const std::vector<std::string>& columns);

/// steel's rows (the backbones it trained) with every column not in `lead` and not backbone/source; a column
/// "x_std" is merged into its mean's cell ("x" or "avg_x") as "mean ± sd" when that column is shown too.
Table steel_extras(const Table& full, const std::vector<std::string>& lead);

}  // namespace steel::report
