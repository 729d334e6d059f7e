#include "steel/cli/sweep_cli.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "steel/core/error.h"
#include "steel/core/strings.h"
#include "steel/core/version.h"

namespace po = boost::program_options;

namespace steel::cli {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

std::optional<sweep::SweepOptions> parse_sweep_cli(int argc, const char* const* argv) {
  sweep::SweepOptions o;
  std::string backbones = join(o.backbones, ",");
  std::string folds = "all";
  std::string config;
  po::options_description general("General");
  general.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("config", po::value(&config), "INI file with any of the options below ('name = value')")
      ("status", po::bool_switch(&o.status), "print the state of every run and exit")
      ("dry-run", po::bool_switch(&o.dry_run), "print the commands (and Slurm scripts) without running them")
      ("wait", po::bool_switch(&o.wait), "slurm: wait until the submitted jobs have left the queue");
  po::options_description grid("Sweep (also valid in a config file)");
  grid.add_options()
      ("mode", po::value(&o.mode)->default_value(o.mode), "local (mpirun on this machine) or slurm (sbatch)")
      ("data", po::value(&o.data_dir), "steel_prep output folder; required")
      ("out", po::value(&o.out_dir)->default_value(o.out_dir), "runs folder")
      ("report", po::value(&o.report_dir)->default_value(o.report_dir), "report folder")
      ("backbones", po::value(&backbones)->default_value(backbones), "comma-separated backbones")
      ("folds", po::value(&folds)->default_value(folds), "comma-separated folds, or all")
      ("ranks", po::value(&o.ranks)->default_value(o.ranks), "processes per training run")
      ("train-args", po::value(&o.train_args)->default_value(o.train_args), "extra steel_train arguments")
      ("eval-args", po::value(&o.eval_args)->default_value(o.eval_args), "extra steel_eval arguments")
      ("bin-dir", po::value(&o.bin_dir), "folder of steel_train/steel_eval/steel_report (default: steel_sweep's)")
      ("mpirun", po::value(&o.mpirun)->default_value(o.mpirun), "local mode: the MPI launcher")
      ("slurm-dir", po::value(&o.slurm_dir), "batch-script templates (default: the source tree's slurm/)")
      ("partition", po::value(&o.partition)->default_value(o.partition), "slurm partition (default: the cluster's)")
      ("account", po::value(&o.account)->default_value(o.account), "slurm account")
      ("time", po::value(&o.time_limit)->default_value(o.time_limit), "slurm time limit per job")
      ("nodes", po::value(&o.nodes)->default_value(o.nodes), "slurm: nodes per training job (ranks spread over them)")
      ("gpus-per-task", po::value(&o.gpus_per_task)->default_value(o.gpus_per_task), "slurm: GPUs per rank")
      ("cpus-per-task", po::value(&o.cpus_per_task)->default_value(o.cpus_per_task), "slurm: CPUs per rank")
      ("launcher", po::value(&o.launcher)->default_value(o.launcher), "slurm: srun or mpirun inside the job");
  po::options_description all;
  all.add(general).add(grid);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).run(), vm);
    if (vm.count("help") != 0) {
      std::cout << "steel_sweep --data PREP [--mode local|slurm] [--config configs/sweep.ini]: trains every\n"
                   "(backbone, fold), evaluates and reports; rerun the same command to continue after a crash.\n\n"
                << all << "\n";
      return std::nullopt;
    }
    if (vm.count("version") != 0) {
      std::cout << "steel_sweep " << kVersion << "\n";
      return std::nullopt;
    }
    if (vm.count("config") != 0) {
      std::ifstream file(vm["config"].as<std::string>());
      if (!file) throw ConfigError("--config " + vm["config"].as<std::string>() + ": cannot open the file");
      po::store(po::parse_config_file(file, grid), vm);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(std::string(e.what()) + " (see steel_sweep --help)");
  }
  o.backbones = split_list(backbones);
  if (folds != "all") {
    for (const auto& f : split_list(folds)) {
      try {
        o.folds.push_back(std::stoi(f));
      } catch (const std::exception&) {
        throw ConfigError("--folds: '" + f + "' is not a fold number");
      }
    }
  }
  sweep::validate(o);
  return o;
}

}  // namespace steel::cli
