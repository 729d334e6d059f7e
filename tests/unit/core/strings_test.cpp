#include "steel/core/strings.h"

#include <gtest/gtest.h>

namespace steel {

TEST(Join, PutsTheSeparatorBetweenItems) {
  EXPECT_EQ(join({}, ", "), "");
  EXPECT_EQ(join({"a"}, ", "), "a");
  EXPECT_EQ(join({"a", "b", "c"}, "; "), "a; b; c");
  EXPECT_EQ(join({"", "b"}, ","), ",b") << "an empty first item still gets its separator";
}

}  // namespace steel
