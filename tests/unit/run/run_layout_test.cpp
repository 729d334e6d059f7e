// slurm/run_layout.sh spells the run folder's names for the batch scripts; it must say what RunPaths says.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "steel/core/build_info.h"
#include "steel/core/subprocess.h"
#include "steel/run/run_paths.h"
#include "support/temp_dir.h"

namespace steel::run {
namespace {

std::string layout_script() {
  return (std::filesystem::path(source_config_dir()).parent_path() / "slurm" / "run_layout.sh").string();
}

std::string shell(const std::string& commands) {
  std::string out;
  const int code = run_command({"bash", "-c", ". '" + layout_script() + "' && " + commands}, {}, &out);
  EXPECT_EQ(code, 0) << commands;
  return out;
}

TEST(RunLayout, TheBatchScriptsNamesAreRunPathsNames) {
  const auto paths = RunPaths::of("/o", "resnet34");
  EXPECT_EQ(shell("steel_fold_dir /o resnet34 3"), paths.fold_dir(3));
  EXPECT_EQ(shell("printf %s \"$(steel_fold_dir /o resnet34 3)/$STEEL_FAILED_MARKER\""), paths.sweep_failed(3));
  EXPECT_EQ(shell("printf %s \"$(steel_fold_dir /o resnet34 3)/$STEEL_RESULT_CSV\""), paths.result_csv(3));
}

TEST(RunLayout, AFinishedFoldIsOneWithAResult) {
  testing::TempDir dir;
  const auto paths = RunPaths::of(dir.path(), "resnet18");
  const std::string test = "steel_has_finished_fold '" + dir.path().string() + "' resnet18 && echo yes || echo no";
  std::filesystem::create_directories(paths.fold_dir(2));
  EXPECT_EQ(shell(test), "no\n");
  std::ofstream(paths.result_csv(2)) << "x\n";
  EXPECT_EQ(shell(test), "yes\n");
}

}  // namespace
}  // namespace steel::run
