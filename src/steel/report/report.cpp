#include "steel/report/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <spdlog/spdlog.h>

#include "steel/core/atomic_file.h"
#include "steel/core/build_info.h"
#include "steel/core/error.h"
#include "steel/core/subprocess.h"
#include "steel/models/backbone_names.h"
#include "steel/models/model_factory.h"
#include "steel/models/param_count.h"
#include "steel/run/run_paths.h"

namespace steel::report {
namespace fs = std::filesystem;

namespace {

using Row = std::map<std::string, std::string>;

// A CSV file with a header, as rows keyed by column name. Missing file: empty.
std::vector<Row> read_csv(const fs::path& path) {
  std::ifstream in(path);
  std::vector<Row> rows;
  if (!in) return rows;
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string f;
    while (std::getline(ss, f, ',')) out.push_back(f);
    if (!s.empty() && s.back() == ',') out.emplace_back();
    return out;
  };
  if (!std::getline(in, line)) return rows;
  header = split(line);
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    const auto cells = split(line);
    if (cells.size() != header.size()) {
      throw DataError(path.string() + ": line " + std::to_string(number) + " has " + std::to_string(cells.size()) +
                      " fields, the header " + std::to_string(header.size()));
    }
    Row r;
    for (std::size_t i = 0; i < header.size(); ++i) r[header[i]] = cells[i];
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string fmt(double v, const char* format = "%.5g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// mean and sample standard deviation of a column over rows; "" when no row has it.
std::pair<std::string, std::string> mean_std(const std::vector<Row>& rows, const std::string& column) {
  std::vector<double> v;
  for (const auto& r : rows) {
    auto it = r.find(column);
    if (it != r.end() && !it->second.empty()) v.push_back(std::stod(it->second));
  }
  if (v.empty()) return {"", ""};
  double mean = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double var = 0;
  for (double x : v) var += (x - mean) * (x - mean);
  const std::string sd = v.size() > 1 ? fmt(std::sqrt(var / static_cast<double>(v.size() - 1))) : "";
  return {fmt(mean), sd};
}

std::vector<std::string> backbones_in(const ReportOptions& o) {
  std::vector<std::string> out = models::thesis_backbones();
  for (const auto& name : run::trained_backbones(o.runs_dir)) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

std::string thesis_dir(const ReportOptions& o) {
  return o.thesis_dir.empty() ? std::string(source_config_dir()) + "/thesis" : o.thesis_dir;
}

Row thesis_row(const ReportOptions& o, const std::string& file, const std::string& backbone) {
  for (auto& r : read_csv(fs::path(thesis_dir(o)) / file)) {
    if (r["backbone"] == backbone) return r;
  }
  return {};
}

// A backbone's test_metrics.csv: the fold ensemble's row (empty when missing) and the single folds' rows.
struct TestRows {
  Row ensemble;
  std::vector<Row> folds;
};

TestRows test_rows(const ReportOptions& o, const std::string& backbone) {
  TestRows out;
  for (auto& r : read_csv(run::RunPaths::of(o.runs_dir, backbone).test_metrics_csv())) {
    if (r["model"] == "ensemble") {
      out.ensemble = std::move(r);
    } else {
      out.folds.push_back(std::move(r));
    }
  }
  return out;
}

std::string get(const Row& r, const std::string& key) {
  auto it = r.find(key);
  return it == r.end() ? std::string() : it->second;
}

}  // namespace

std::string Table::csv() const {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cells[i];
    out += "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
  return out;
}

std::string Table::markdown() const {
  std::string out = "|";
  for (const auto& h : header) out += " " + h + " |";
  out += "\n|";
  for (std::size_t i = 0; i < header.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& r : rows) {
    out += "|";
    for (const auto& c : r) out += " " + (c.empty() ? std::string("missing") : c) + " |";
    out += "\n";
  }
  return out;
}

Table figure55(const ReportOptions& o) {
  Table t;
  // New columns go at the end, so that scripts reading the earlier ones by position keep working.
  t.header = {"backbone", "source", "folds", "time_minutes", "avg_loss", "avg_val_loss", "avg_dice", "avg_val_dice",
              "val_dice_std", "avg_val_kaggle_dice", "val_kaggle_dice_std", "test_loss", "test_dice",
              "test_kaggle_dice", "loss_std", "val_loss_std", "dice_std", "fold_test_loss", "fold_test_loss_std",
              "fold_test_dice", "fold_test_dice_std", "fold_test_kaggle_dice", "fold_test_kaggle_dice_std"};
  for (const auto& b : backbones_in(o)) {
    const auto folds = read_csv(run::RunPaths::of(o.runs_dir, b).folds_csv());
    const auto tests = test_rows(o, b);
    const Row& test = tests.ensemble;
    std::string minutes;
    if (!folds.empty()) {
      double s = 0;
      for (const auto& r : folds) s += std::stod(get(r, "seconds"));
      minutes = fmt(s / 60.0, "%.2f");
    }
    const auto loss = mean_std(folds, "train_loss");
    const auto val_loss = mean_std(folds, "val_loss");
    const auto dice = mean_std(folds, "train_dice");
    const auto val_dice = mean_std(folds, "val_dice");
    const auto kaggle = mean_std(folds, "val_kaggle_dice");
    const auto& fold_tests = tests.folds;
    const auto t_loss = mean_std(fold_tests, "test_loss");
    const auto t_dice = mean_std(fold_tests, "test_dice");
    const auto t_kaggle = mean_std(fold_tests, "test_kaggle_dice");
    t.rows.push_back({b, "steel", folds.empty() ? "" : std::to_string(folds.size()), minutes, loss.first,
                      val_loss.first, dice.first, val_dice.first, val_dice.second, kaggle.first, kaggle.second,
                      get(test, "test_loss"), get(test, "test_dice"), get(test, "test_kaggle_dice"), loss.second,
                      val_loss.second, dice.second, t_loss.first, t_loss.second, t_dice.first, t_dice.second,
                      t_kaggle.first, t_kaggle.second});
    const auto th = thesis_row(o, "thesis_figure55_training.csv", b);
    if (!th.empty()) {
      std::vector<std::string> r{b, "thesis", "5", get(th, "time_minutes"), get(th, "avg_loss"),
                                 get(th, "avg_val_loss"), get(th, "avg_dice"), get(th, "avg_val_dice"), "", "", "",
                                 get(th, "test_loss"), get(th, "test_dice"), ""};
      r.resize(t.header.size());
      t.rows.push_back(r);
    }
  }
  return t;
}

Table figure56(const ReportOptions& o) {
  Table t;
  t.header = {"backbone", "source", "total_params", "trainable_params"};
  for (const auto& b : backbones_in(o)) {
    // Counted from the model itself, so the table is complete before any training.
    std::string total;
    std::string trainable;
    try {
      const auto counts = models::count_parameters(*models::make_unet(b));
      total = std::to_string(counts.keras_total);
      trainable = std::to_string(counts.keras_trainable);
    } catch (const ConfigError&) {
      // A run folder that is not a backbone name: leave its counts missing.
    }
    t.rows.push_back({b, "steel", total, trainable});
    const auto th = thesis_row(o, "thesis_figure56_params.csv", b);
    if (!th.empty()) t.rows.push_back({b, "thesis", get(th, "total_params"), get(th, "trainable_params")});
  }
  return t;
}

Table figure57(const ReportOptions& o) {
  Table t;
  t.header = {"backbone", "source", "test_images", "accuracy_total", "accuracy_per_defect"};
  for (int c = 1; c <= 4; ++c) {
    for (const char* f : {"tn", "fp", "fn", "tp", "acc"}) t.header.push_back("c" + std::to_string(c) + "_" + f);
  }
  // The same accuracies for the single fold models (mean and spread over folds), which the thesis did not report.
  for (const char* f : {"fold_accuracy_total", "fold_accuracy_total_std", "fold_accuracy_per_defect",
                        "fold_accuracy_per_defect_std"}) {
    t.header.push_back(f);
  }
  for (const auto& b : backbones_in(o)) {
    const auto tests = test_rows(o, b);
    const Row& e = tests.ensemble;
    std::vector<std::string> row{b, "steel", get(e, "records"), get(e, "accuracy_images"), get(e, "accuracy_decisions")};
    for (int c = 1; c <= 4; ++c) {
      const auto n = std::to_string(c);
      for (const char* f : {"tn_", "fp_", "fn_", "tp_", "accuracy_"}) row.push_back(get(e, f + n));
    }
    for (const char* column : {"accuracy_images", "accuracy_decisions"}) {
      const auto [mean, sd] = mean_std(tests.folds, column);
      row.push_back(mean);
      row.push_back(sd);
    }
    t.rows.push_back(row);
    const auto th = thesis_row(o, "thesis_figure57_classification.csv", b);
    if (!th.empty()) {
      std::vector<std::string> r{b, "thesis", "250", get(th, "accuracy_total"), get(th, "accuracy_per_defect")};
      for (int c = 1; c <= 4; ++c) {
        const auto p = "c" + std::to_string(c) + "_";
        for (const char* f : {"tn", "fp", "fn", "tp", "acc"}) r.push_back(get(th, p + f));
      }
      r.resize(t.header.size());
      t.rows.push_back(r);
    }
  }
  return t;
}

std::string run_report(const ReportOptions& o) {
  fs::create_directories(o.out_dir);
  const std::vector<std::pair<std::string, Table>> figures{
      {"figure55", figure55(o)}, {"figure56", figure56(o)}, {"figure57", figure57(o)}};
  for (const auto& [name, table] : figures) {
    write_file_atomically((fs::path(o.out_dir) / (name + ".csv")).string(), table.csv());
    write_file_atomically((fs::path(o.out_dir) / (name + ".md")).string(), table.markdown());
  }

  std::vector<std::string> trained;
  for (const auto& b : backbones_in(o)) {
    if (fs::exists(run::RunPaths::of(o.runs_dir, b).folds_csv())) trained.push_back(b);
  }
  std::string curves_note;
  const std::string script =
      o.plot_script.empty() ? (fs::path(source_config_dir()).parent_path() / "scripts/plot_curves.py").string()
                            : o.plot_script;
  if (!trained.empty()) {
    std::vector<std::string> argv{o.python, script, o.runs_dir, o.out_dir};
    argv.insert(argv.end(), trained.begin(), trained.end());
    std::string discarded;  // the script's progress lines; the report names its pictures itself
    int code = 0;
    try {
      code = run_command(argv, {}, &discarded);
    } catch (const std::exception&) {
      code = 127;  // no such interpreter
    }
    if (code != 0) {
      curves_note =
          "Training curves were skipped: `" + shell_quote(argv) + "` failed (needs python3 with matplotlib).\n\n";
      spdlog::warn("steel_report: curves skipped; {} failed", script);
    }
  }

  std::string index = "# steel report\n\nRuns: `" + fs::absolute(o.runs_dir).string() + "`, steel " +
                      source_revision() +
                      ". Each table has a `steel` row (this project's runs) and a `thesis` row (the thesis's "
                      "published numbers); `missing` means no run produced that value yet (or, in a thesis row, that the thesis did "
                      "not report it).\n\n";
  index += "## Figure 55: training and test\n\nLosses and Dice are the fold averages of each fold's best epoch "
           "(`_std`: standard deviation over folds, which the thesis did not report); `test_*` values are the fold "
           "ensemble's on the held-out test set, `fold_test_*` the mean and spread of the single fold models' "
           "test values; time is the sum over folds.\n\n" +
           figures[0].second.markdown();
  index += "\n## Figure 56: parameters (Keras convention)\n\n" + figures[1].second.markdown();
  index += "\n## Figure 57: test-set classification (fold ensemble; labels by steel_eval's --min-pixels rule, 200 "
           "at 128x800 as in the thesis)\n\n" +
           figures[2].second.markdown();
  index += "\n## Training curves\n\n" + curves_note;
  for (const auto& b : trained) {
    if (fs::exists(fs::path(o.out_dir) / ("curves_" + b + ".png"))) {
      index += "### " + b + "\n\n![" + b + "](curves_" + b + ".png)\n\n";
    }
    const fs::path overlays = fs::absolute(run::RunPaths::of(o.runs_dir, b).overlays_dir());
    if (fs::is_directory(overlays)) {
      // Relative links, so the report folder and the runs can move together.
      const auto link = [&](const fs::path& p) { return fs::relative(p, fs::absolute(o.out_dir)).generic_string(); };
      std::vector<fs::path> pictures;
      for (const auto& e : fs::directory_iterator(overlays)) {
        if (e.path().extension() == ".png") pictures.push_back(e.path());
      }
      std::sort(pictures.begin(), pictures.end());
      index += "Prediction overlays ([all " + std::to_string(pictures.size()) + "](" + link(overlays) +
               "); ground truth above, prediction below; class 1 red, 2 yellow, 3 blue, 4 white):\n\n";
      int shown = 0;
      for (const auto& p : pictures) {
        if (p.filename().string().rfind("test_", 0) != 0 || shown == 2) continue;
        index += "![" + p.filename().string() + "](" + link(p) + ")\n\n";
        ++shown;
      }
    }
  }
  const auto index_path = (fs::path(o.out_dir) / "index.md").string();
  write_file_atomically(index_path, index);
  spdlog::info("steel_report: wrote {}", index_path);
  return index_path;
}

}  // namespace steel::report
