// What a checkpoint must share with the run that resumes it, and how a difference is reported.
#include "steel/train/resume.h"

#include <gtest/gtest.h>

namespace steel::train {
namespace {

TEST(RunSignature, NamesEverySettingThatChangesTheNumbers) {
  ResolvedConfig c;
  c.options.backbone = "resnet34";
  c.options.seed = 7;
  c.options.flips = true;
  c.options.max_train_batches = 5;
  c.global_batch = 16;
  EXPECT_EQ(run_signature(c, "p1d"),
            "backbone=resnet34;encoder_mode=thesis;seed=7;global_batch=16;bn_momentum=0;flips=1;amp=off;"
            "max_train_batches=5;prep_id=p1d");
}

TEST(RunSignature, DifferencesNameTheKeyAndBothValues) {
  EXPECT_EQ(signature_differences("seed=43;lr=1", "seed=42;lr=1"), "seed=43 (the checkpoint has 42)");
  EXPECT_EQ(signature_differences("seed=43;amp=off", "amp=bf16"),
            "amp=off (the checkpoint has bf16), seed=43 (the checkpoint has <none>)");
  // Only the checkpoint has a key: both signatures whole.
  EXPECT_EQ(signature_differences("seed=1", "seed=1;extra=2"), "now 'seed=1', the checkpoint 'seed=1;extra=2'");
}

}  // namespace
}  // namespace steel::train
