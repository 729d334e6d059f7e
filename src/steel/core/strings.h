// Small string helpers shared by every stage.
#pragma once

#include <string>
#include <vector>

namespace steel {

/// The items with `separator` between each two: join({"a", "b"}, ", ") == "a, b".
std::string join(const std::vector<std::string>& items, const std::string& separator);

}  // namespace steel
