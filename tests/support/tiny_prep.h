// Test support: a small synthetic dataset run through steel_prep, at reduced resolution, for trainer tests.
#pragma once

#include <string>

namespace steel::testing {

struct TinyPrepOptions {
  int images = 240;   ///< synthetic source images
  int folds = 3;
  int height = 32;    ///< stored resolution (multiples of 32)
  int width = 160;
  unsigned long long seed = 5;
  int test_per_class = 0;  ///< held-out test images (test.h5)
  int test_multi = 0;
};

/// Synthesises `options.images` images under dir/kaggle and prepares them into dir/prep (test holdout as given,
/// no balancing). Returns the prep folder.
std::string make_tiny_prep(const std::string& dir, const TinyPrepOptions& options = {});

}  // namespace steel::testing
