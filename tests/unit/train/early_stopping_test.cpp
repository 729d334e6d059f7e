#include "steel/train/early_stopping.h"

#include <cmath>

#include <gtest/gtest.h>

using steel::train::EarlyStopping;

TEST(EarlyStopping, StopsAfterPatienceEpochsWithoutImprovement) {
  EarlyStopping es({/*patience=*/3, /*min_delta=*/0.0});
  EXPECT_TRUE(es.update(1, 1.0));
  EXPECT_TRUE(es.update(2, 0.5));
  EXPECT_FALSE(es.update(3, 0.5));  // equal is not better (mode min, strict)
  EXPECT_FALSE(es.update(4, 0.7));
  EXPECT_FALSE(es.should_stop());
  EXPECT_FALSE(es.update(5, 0.6));
  EXPECT_TRUE(es.should_stop());
  EXPECT_EQ(es.best_epoch, 2);
  EXPECT_DOUBLE_EQ(es.best, 0.5);
}

TEST(EarlyStopping, ImprovementResetsTheWait) {
  EarlyStopping es({2, 0.0});
  es.update(1, 1.0);
  es.update(2, 1.1);
  EXPECT_EQ(es.wait, 1);
  EXPECT_TRUE(es.update(3, 0.9));
  EXPECT_EQ(es.wait, 0);
  es.update(4, 1.0);
  EXPECT_FALSE(es.should_stop());
  es.update(5, 1.0);
  EXPECT_TRUE(es.should_stop());
  EXPECT_EQ(es.best_epoch, 3);
}

TEST(EarlyStopping, MinDeltaDemandsAMarginLikeKeras) {
  EarlyStopping es({5, 0.1});
  es.update(1, 1.0);
  EXPECT_FALSE(es.update(2, 0.95));  // better, but by less than min_delta
  EXPECT_EQ(es.best_epoch, 1);
  EXPECT_TRUE(es.update(3, 0.85));
  EXPECT_EQ(es.best_epoch, 3);
}

TEST(EarlyStopping, NonFiniteNeverImproves) {
  EarlyStopping es({2, 0.0});
  EXPECT_FALSE(es.update(1, std::nan("")));
  EXPECT_EQ(es.best_epoch, -1);
  EXPECT_TRUE(es.update(2, 3.0));
}
