#include "steel/train/progress_bar.h"

#include <gtest/gtest.h>

namespace steel::train {

TEST(ProgressBar, DrawsTheShareDoneAndEstimatesTheRest) {
  EXPECT_EQ(format_progress("epoch 3", 5, 20, 10.0, "loss 0.5", 8), "epoch 3 [##......]  5/20  0:10<0:30  loss 0.5");
  EXPECT_EQ(format_progress("e", 0, 4, 0.0, "", 4), "e [....]  0/4  0:00<?");
  EXPECT_EQ(format_progress("e", 9, 4, 12.0, "", 4), "e [####]  4/4  0:12<0:00") << "done is clamped to total";
}

TEST(ProgressBar, FormatsDurations) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(75.4), "1:15");
  EXPECT_EQ(format_duration(3725), "1:02:05");
  EXPECT_EQ(format_duration(-3), "0:00");
}

}  // namespace steel::train
