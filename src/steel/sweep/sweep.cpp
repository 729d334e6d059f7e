#include "steel/sweep/sweep.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "steel/core/atomic_file.h"
#include "steel/core/build_info.h"
#include "steel/core/error.h"
#include "steel/core/strings.h"
#include "steel/core/subprocess.h"
#include "steel/run/run_paths.h"
#include "steel/sweep/run_status.h"
#include "steel/loader/shard_set.h"

namespace steel::sweep {
namespace fs = std::filesystem;

namespace {

std::string bin_dir(const SweepOptions& o) {
  if (!o.bin_dir.empty()) return o.bin_dir;
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

std::vector<int> resolve_folds(const SweepOptions& o) {
  if (!o.folds.empty()) return o.folds;
  std::vector<int> all;
  for (int k = 0; k < loader::count_folds(o.data_dir); ++k) all.push_back(k);
  return all;
}

int run_logged(const std::vector<std::string>& argv, bool dry_run, const std::map<std::string, std::string>& env = {}) {
  std::string prefix;
  for (const auto& [k, v] : env) prefix += k + "=" + shell_quote({v}) + " ";
  if (dry_run) {
    std::cout << prefix << shell_quote(argv) << "\n";
    return 0;
  }
  spdlog::info("steel_sweep: {}{}", prefix, shell_quote(argv));
  return run_command(argv, env);
}

int run_local(const SweepOptions& o, const std::vector<int>& folds) {
  const auto bin = bin_dir(o);
  bool any_failed = false;
  for (const auto& s : collect_status(o.out_dir, o.backbones, folds)) {
    if (s.state == RunState::kFinished) {
      spdlog::info("steel_sweep: {} fold {} finished; skipped", s.backbone, s.fold);
      continue;
    }
    if (s.state == RunState::kRunning) {
      spdlog::warn("steel_sweep: {} fold {} is being trained by another process ({}); skipped", s.backbone, s.fold,
                   s.note);
      any_failed = true;
      continue;
    }
    std::vector<std::string> argv{o.mpirun, "-np", std::to_string(o.ranks)};
    // Open MPI binds up to two ranks to one core each by default, which would squeeze steel_train's intra-op
    // threads onto one core (measured: half the images/s of one process with two threads); steel_train sizes its
    // own threads from the CPUs it may use.
    argv.insert(argv.end(), {"--bind-to", "none"});
    argv.insert(argv.end(), {bin + "/steel_train", "--backbone", s.backbone, "--fold", std::to_string(s.fold),
                             "--data", o.data_dir, "--out", o.out_dir, "--resume"});
    for (const auto& a : split_args(o.train_args)) argv.push_back(a);
    const int code = run_logged(argv, o.dry_run);
    const auto paths = run::RunPaths::of(o.out_dir, s.backbone);
    if (code == exit_code::kPreempted) {
      spdlog::warn("steel_sweep: {} fold {} was stopped by a signal and checkpointed; rerun the same command to "
                   "continue", s.backbone, s.fold);
      return exit_code::kPreempted;
    }
    if (code != 0) {
      any_failed = true;
      fs::create_directories(paths.fold_dir(s.fold));
      write_file_atomically(paths.sweep_failed(s.fold), "exit code " + std::to_string(code) + "\n");
      spdlog::error("steel_sweep: {} fold {} failed with exit code {}; going on", s.backbone, s.fold, code);
    } else if (!o.dry_run) {
      fs::remove(paths.sweep_failed(s.fold));
    }
  }
  for (const auto& b : o.backbones) {
    bool any = o.dry_run;
    for (const auto& s : collect_status(o.out_dir, {b}, folds)) any = any || s.state == RunState::kFinished;
    if (!any) continue;
    std::vector<std::string> argv{bin + "/steel_eval", "--run", run::RunPaths::of(o.out_dir, b).backbone_dir, "--data", o.data_dir};
    for (const auto& a : split_args(o.eval_args)) argv.push_back(a);
    if (run_logged(argv, o.dry_run) != 0) any_failed = true;
  }
  if (run_logged({bin + "/steel_report", "--runs", o.out_dir, "--out", o.report_dir}, o.dry_run) != 0) {
    any_failed = true;
  }
  if (!o.dry_run) std::cout << status_table(collect_status(o.out_dir, o.backbones, folds));
  return any_failed ? 1 : 0;
}

std::string submit(std::vector<std::string> argv, const std::map<std::string, std::string>& env, bool dry_run,
                   const std::string& placeholder) {
  if (dry_run) {
    run_logged(argv, true, env);
    return placeholder;
  }
  std::string out;
  spdlog::info("steel_sweep: {}", shell_quote(argv));
  const int code = run_command(argv, env, &out);
  if (code != 0) throw DistError("sbatch failed with exit code " + std::to_string(code) + ": " + shell_quote(argv));
  // --parsable prints "jobid" or "jobid;cluster".
  const auto id = out.substr(0, out.find_first_of(";\n"));
  if (id.empty()) throw DistError("sbatch printed no job id: " + out);
  return id;
}

int run_slurm(const SweepOptions& o, const std::vector<int>& folds) {
  const auto bin = bin_dir(o);
  const std::string slurm_dir =
      o.slurm_dir.empty() ? (fs::path(source_config_dir()).parent_path() / "slurm").string() : o.slurm_dir;
  for (const char* script : {"train.sbatch", "eval.sbatch", "report.sbatch"}) {
    if (!fs::exists(fs::path(slurm_dir) / script)) {
      throw ConfigError((fs::path(slurm_dir) / script).string() + ": missing (see --slurm-dir)");
    }
  }
  // Resubmitting the grid while a fold is still being trained would only produce tasks that fail on its lock.
  for (const auto& s : collect_status(o.out_dir, o.backbones, folds)) {
    if (s.state == RunState::kRunning && !o.dry_run) {
      throw ConfigError(s.backbone + " fold " + std::to_string(s.fold) + " is being trained right now (" + s.note +
                        "); wait for it or cancel it before submitting the sweep again");
    }
  }
  // The array covers the whole grid: a finished run's task returns at once (steel_train --resume skips it).
  const std::vector<std::string>& backbones = o.backbones;
  const fs::path logs = fs::absolute(o.out_dir) / "slurm_logs";
  if (!o.dry_run) fs::create_directories(logs);
  std::vector<std::string> fold_text;
  for (int f : folds) fold_text.push_back(std::to_string(f));
  const std::map<std::string, std::string> env{
      {"STEEL_BIN", fs::absolute(bin).string()},
      {"STEEL_DATA", fs::absolute(o.data_dir).string()},
      {"STEEL_OUT", fs::absolute(o.out_dir).string()},
      {"STEEL_REPORT", fs::absolute(o.report_dir).string()},
      {"STEEL_SLURM_DIR", fs::absolute(slurm_dir).string()},  // the batch scripts source run_layout.sh from it
      {"STEEL_BACKBONES", join(backbones, " ")},
      {"STEEL_FOLDS", join(fold_text, " ")},
      {"STEEL_RANKS", std::to_string(o.ranks)},
      {"STEEL_LAUNCHER", o.launcher},
      {"STEEL_TRAIN_ARGS", o.train_args},
      {"STEEL_EVAL_ARGS", o.eval_args},
  };
  auto common = [&](const std::string& name) {
    // %A_%a names array tasks; the single eval and report jobs use their own id.
    const std::string pattern = name == "train" ? "_%A_%a.out" : "_%j.out";
    std::vector<std::string> a{"sbatch", "--parsable", "--export=ALL", "--job-name=steel-" + name,
                               "--time=" + o.time_limit, "--output=" + (logs / (name + pattern)).string()};
    if (!o.partition.empty()) a.push_back("--partition=" + o.partition);
    if (!o.account.empty()) a.push_back("--account=" + o.account);
    if (name == "train" && o.nodes > 1) a.push_back("--nodes=" + std::to_string(o.nodes));
    return a;
  };
  std::vector<std::string> ids;
  std::string train_id;
  const bool all_finished = [&] {
    for (const auto& s : collect_status(o.out_dir, o.backbones, folds)) {
      if (s.state != RunState::kFinished) return false;
    }
    return true;
  }();
  if (!all_finished) {
    auto a = common("train");
    a.insert(a.end(), {"--array=0-" + std::to_string(backbones.size() * folds.size() - 1),
                       "--ntasks=" + std::to_string(o.ranks), "--cpus-per-task=" + std::to_string(o.cpus_per_task),
                       "--requeue", "--signal=B:USR1@120"});
    if (o.gpus_per_task > 0) a.push_back("--gpus-per-task=" + std::to_string(o.gpus_per_task));
    a.push_back((fs::path(slurm_dir) / "train.sbatch").string());
    train_id = submit(a, env, o.dry_run, "<train>");
    ids.push_back(train_id);
  } else {
    spdlog::info("steel_sweep: every run is finished; submitting evaluation and report only");
  }
  // afterany, not afterok: a failed (or cancelled) training task must not keep evaluation and the report
  // from running on the folds that did finish; the report marks the rest missing. A task that
  // train.sbatch requeues is not over, so the dependency keeps waiting for it.
  auto e = common("eval");
  e.insert(e.end(), {"--ntasks=1", "--cpus-per-task=" + std::to_string(o.cpus_per_task)});
  if (o.gpus_per_task > 0) e.push_back("--gpus=1");
  if (!train_id.empty()) e.push_back("--dependency=afterany:" + train_id);
  e.push_back((fs::path(slurm_dir) / "eval.sbatch").string());
  const auto eval_id = submit(e, env, o.dry_run, "<eval>");
  ids.push_back(eval_id);
  auto r = common("report");
  r.insert(r.end(), {"--ntasks=1", "--cpus-per-task=1", "--dependency=afterany:" + eval_id,
                     (fs::path(slurm_dir) / "report.sbatch").string()});
  ids.push_back(submit(r, env, o.dry_run, "<report>"));
  if (o.dry_run) {
    for (const char* script : {"train.sbatch", "eval.sbatch", "report.sbatch"}) {
      std::ifstream in(fs::path(slurm_dir) / script);
      std::cout << "\n# ---- " << (fs::path(slurm_dir) / script).string() << " ----\n" << in.rdbuf();
    }
    return 0;
  }
  spdlog::info("steel_sweep: submitted jobs {}; logs in {}", join(ids, ", "), logs.string());
  if (!o.wait) return 0;
  for (;;) {
    std::string queue;
    run_command({"squeue", "--noheader", "--jobs=" + join(ids, ","), "--format=%i %T %r"}, {}, &queue);
    if (queue.find_first_not_of(" \n") == std::string::npos) break;
    // A job whose dependency can never be met stays queued forever unless the cluster cancels it.
    if (queue.find("DependencyNeverSatisfied") != std::string::npos) {
      spdlog::error("steel_sweep: a job's dependency can never be satisfied; queue:\n{}", queue);
      break;
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  const auto runs = collect_status(o.out_dir, o.backbones, folds);
  std::cout << status_table(runs);
  bool ok = fs::exists(fs::path(o.report_dir) / "index.md");
  for (const auto& s : runs) ok = ok && s.state == RunState::kFinished;
  if (!ok) spdlog::error("steel_sweep: the sweep did not complete; see {}", logs.string());
  return ok ? 0 : 1;
}

}  // namespace

int run_sweep(const SweepOptions& o) {
  validate(o);
  const auto folds = resolve_folds(o);
  if (o.status) {
    std::cout << status_table(collect_status(o.out_dir, o.backbones, folds));
    return 0;
  }
  return o.mode == "slurm" ? run_slurm(o, folds) : run_local(o, folds);
}

}  // namespace steel::sweep
