// Test support: a small synthetic dataset run through steel_prep, at reduced resolution, for trainer tests.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

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

/// A test suite sharing one tiny prep folder, made before its first test and removed after its last. A suite that
/// needs other options (or more set-up) defines its own static SetUpTestSuite() calling make_shared_prep.
class TinyPrepSuite : public ::testing::Test {
 public:
  static void SetUpTestSuite() { make_shared_prep({}); }
  static void TearDownTestSuite();

 protected:
  static void make_shared_prep(const TinyPrepOptions& options);
  static const std::string& prep() { return prep_; }
  /// The suite's folder: kaggle/ (the synthetic source) and prep/, and room for the suite's own files.
  static const TempDir& suite_dir() { return *dir_; }

 private:
  static std::unique_ptr<TempDir> dir_;
  static std::string prep_;
};

}  // namespace steel::testing
