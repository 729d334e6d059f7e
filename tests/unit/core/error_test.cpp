#include "steel/core/error.h"

#include <gtest/gtest.h>

namespace steel {

TEST(ExitCodeOf, EachErrorKindHasItsCode) {
  EXPECT_EQ(exit_code_of(ConfigError("x")), 2);
  EXPECT_EQ(exit_code_of(DataError("x")), 3);
  EXPECT_EQ(exit_code_of(DistError("x")), 4);
  EXPECT_EQ(exit_code_of(TrainingError("x")), 5);
  EXPECT_EQ(exit_code_of(std::runtime_error("x")), 1);
  EXPECT_EQ(exit_code_of(std::invalid_argument("x")), 1) << "ConfigError's base class is not a ConfigError";
}

}  // namespace steel
