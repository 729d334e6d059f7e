// The report's readable views: the thesis's columns with steel beside the thesis, and steel's extras.
#include "steel/report/table.h"

#include <gtest/gtest.h>

namespace steel::report {
namespace {

Table full() {
  Table t;
  t.header = {"backbone", "source", "folds", "avg_dice", "dice_std", "test_dice", "extra"};
  t.rows = {{"resnet34", "steel", "", "", "", "", ""},
            {"resnet34", "thesis", "5", "0.904", "", "0.692", ""},
            {"resnet18", "steel", "2", "0.5", "0.1", "0.4000012345", "7"}};
  return t;
}

TEST(ReadableTable, PutsSteelBesideTheThesisInTheThesissColumns) {
  const auto t = beside_thesis(full(), {"avg_dice", "test_dice"});
  EXPECT_EQ(t.header, (std::vector<std::string>{"backbone", "avg_dice (steel / thesis)", "test_dice (steel / thesis)"}));
  ASSERT_EQ(t.rows.size(), 2U);
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"resnet34", "– / 0.904", "– / 0.692"}));
  EXPECT_EQ(t.rows[1], (std::vector<std::string>{"resnet18", "0.5 / –", "0.4 / –"})) << "4 significant digits";
}

TEST(ReadableTable, ExtrasAreSteelsOtherColumnsWithSpreadsMerged) {
  auto t = steel_extras(full(), {"test_dice"});
  EXPECT_EQ(t.header, (std::vector<std::string>{"backbone", "folds", "avg_dice ± sd", "extra"}));
  ASSERT_EQ(t.rows.size(), 1U) << "a backbone without steel values has no extras row";
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"resnet18", "2", "0.5 ± 0.1", "7"}));
  // A spread whose mean is in the lead table stays a column of its own.
  t = steel_extras(full(), {"avg_dice", "test_dice"});
  EXPECT_EQ(t.header, (std::vector<std::string>{"backbone", "folds", "dice_std", "extra"}));
}

}  // namespace
}  // namespace steel::report
