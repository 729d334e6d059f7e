#include "steel/cli/train_cli.h"

#include <cstdlib>

#include <gtest/gtest.h>

#include "steel/core/error.h"
#include "support/temp_dir.h"

using steel::cli::parse_train_cli;
using steel::testing::TempDir;

namespace {

std::optional<steel::train::TrainOptions> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "steel_train");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_train_cli(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST(TrainCli, DefaultsAreTheThesisProtocol) {
  TempDir empty;  // no configs here: only the built-in defaults apply
  setenv("STEEL_CONFIG_DIR", empty.path().c_str(), 1);
  const auto o = parse({"--data", "prep"});
  unsetenv("STEEL_CONFIG_DIR");
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->backbone, "efficientnet-b5");
  EXPECT_EQ(o->epochs, 150);
  EXPECT_EQ(o->batch_size, 16);
  EXPECT_DOUBLE_EQ(o->lr, 1e-3);
  EXPECT_DOUBLE_EQ(o->beta1, 0.9);
  EXPECT_DOUBLE_EQ(o->beta2, 0.999);
  EXPECT_DOUBLE_EQ(o->adam_eps, 1e-7);
  EXPECT_EQ(o->patience, 15);
  EXPECT_EQ(o->encoder_mode, "thesis");
  EXPECT_EQ(o->fold, -1);
  EXPECT_EQ(o->config_file, "");
}

TEST(TrainCli, CommandLineOverridesTheConfigFileWhichOverridesDefaults) {
  TempDir dir;
  steel::testing::write_file(dir / "my.ini", "# comment\nepochs = 7\nlr = 0.01\npatience = 3\n");
  const auto o = parse({"--data", "prep", "--config", dir / "my.ini", "--epochs", "9"});
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->epochs, 9);         // command line
  EXPECT_DOUBLE_EQ(o->lr, 0.01);   // file
  EXPECT_EQ(o->patience, 3);       // file
  EXPECT_EQ(o->batch_size, 16);    // default
  EXPECT_EQ(o->config_file, dir / "my.ini");
}

TEST(TrainCli, TheBackbonesConfigIsFoundInTheConfigDir) {
  TempDir dir;
  steel::testing::write_file(dir / "resnet50.ini", "backbone = resnet50\nepochs = 11\n");
  setenv("STEEL_CONFIG_DIR", dir.path().c_str(), 1);
  const auto o = parse({"--data", "prep", "--backbone", "resnet50"});
  unsetenv("STEEL_CONFIG_DIR");
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->epochs, 11);
  EXPECT_EQ(o->config_file, dir / "resnet50.ini");
}

TEST(TrainCli, TheShippedConfigsHoldTheThesisDefaults) {
  for (const char* backbone : {"resnet34", "resnet50", "resnet101", "efficientnet-b0", "efficientnet-b1",
                               "efficientnet-b3", "efficientnet-b5", "efficientnet-b7"}) {
    const auto o = parse({"--data", "prep", "--backbone", backbone});
    ASSERT_TRUE(o.has_value());
    EXPECT_NE(o->config_file.find(std::string("configs/") + backbone + ".ini"), std::string::npos) << backbone;
    EXPECT_EQ(o->backbone, backbone);
    EXPECT_EQ(o->epochs, 150);
    EXPECT_EQ(o->patience, 15);
    EXPECT_EQ(o->batch_size, 16);
  }
}

TEST(TrainCli, BadValuesAreConfigErrorsNamingTheProblem) {
  TempDir dir;
  auto message = [&](std::vector<std::string> args) {
    try {
      parse(std::move(args));
    } catch (const steel::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({"--epochs", "5"}).find("--data is required"), std::string::npos);
  EXPECT_NE(message({"--data", "p", "--epochs", "0"}).find("--epochs"), std::string::npos);
  EXPECT_NE(message({"--data", "p", "--amp", "fp8"}).find("--amp 'fp8'"), std::string::npos);
  EXPECT_NE(message({"--data", "p", "--device", "tpu"}).find("--device 'tpu'"), std::string::npos);
  EXPECT_NE(message({"--data", "p", "--lr", "abc"}).find("lr"), std::string::npos);
  EXPECT_EQ(message({"--data", "p", "--batch-per-rank", "-1"}), "--batch-per-rank must be 0 (off) or more");
  // CUDA graphs are refused where they cannot work: on the CPU, over Gloo, with fp16 loss scaling.
  EXPECT_NE(message({"--data", "p", "--cuda-graphs", "true", "--device", "cpu"}).find("--cuda-graphs needs a GPU"),
            std::string::npos);
  EXPECT_NE(message({"--data", "p", "--cuda-graphs", "true", "--dist-backend", "gloo"}).find("needs the NCCL backend"),
            std::string::npos);
  EXPECT_NE(message({"--data", "p", "--cuda-graphs", "true", "--amp", "fp16"}).find("use --amp bf16"),
            std::string::npos);
  steel::testing::write_file(dir / "bad.ini", "epochs = many\n");
  EXPECT_NE(message({"--data", "p", "--config", dir / "bad.ini"}).find("bad.ini"), std::string::npos);
  steel::testing::write_file(dir / "unknown.ini", "epoch = 3\n");
  EXPECT_NE(message({"--data", "p", "--config", dir / "unknown.ini"}).find("unknown.ini"), std::string::npos);
}

TEST(TrainCli, BatchPerRankIsParsed) {
  EXPECT_EQ(parse({"--data", "prep"})->batch_per_rank, 0) << "off unless asked for";
  EXPECT_EQ(parse({"--data", "prep", "--batch-per-rank", "3"})->batch_per_rank, 3);
}

TEST(TrainCli, HelpReturnsNothing) { EXPECT_FALSE(parse({"--help"}).has_value()); }
