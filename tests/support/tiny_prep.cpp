#include "support/tiny_prep.h"

#include "steel/data/prep.h"
#include "steel/data/synth.h"

namespace steel::testing {

std::unique_ptr<TempDir> TinyPrepSuite::dir_;
std::string TinyPrepSuite::prep_;

void TinyPrepSuite::make_shared_prep(const TinyPrepOptions& options) {
  dir_ = std::make_unique<TempDir>();
  prep_ = make_tiny_prep(dir_->path().string(), options);
}

void TinyPrepSuite::TearDownTestSuite() {
  prep_.clear();
  dir_.reset();
}

std::string make_tiny_prep(const std::string& dir, const TinyPrepOptions& options) {
  data::SynthOptions s;
  s.out_dir = dir + "/kaggle";
  s.images = options.images;
  s.seed = options.seed;
  data::run_synth(s);
  data::PrepOptions p;
  p.csv = dir + "/kaggle/train.csv";
  p.images_dir = dir + "/kaggle/train_images";
  p.out_dir = dir + "/prep";
  p.split.test_per_class = options.test_per_class;
  p.split.test_multi = options.test_multi;
  p.split.balance_to = "none";
  p.split.folds = options.folds;
  p.split.seed = options.seed;
  p.height = options.height;
  p.width = options.width;
  data::run_prep(p);
  return p.out_dir;
}

}  // namespace steel::testing
