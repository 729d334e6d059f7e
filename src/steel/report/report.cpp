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

// Figure 57's confusion counts, a cell per class ("TN FP FN TP"), for every source that has them; steel's rows
// add the single fold models' accuracies.
Table confusion_table(const Table& f57) {
  Table t;
  t.header = {"backbone", "source", "test_images"};
  for (int c = 1; c <= 4; ++c) t.header.push_back("class " + std::to_string(c));
  t.header.insert(t.header.end(), {"fold_accuracy_total ± sd", "fold_accuracy_per_defect ± sd"});
  auto at = [&](const std::vector<std::string>& row, const std::string& name) {
    const auto it = std::find(f57.header.begin(), f57.header.end(), name);
    return it == f57.header.end() ? std::string() : row[static_cast<std::size_t>(it - f57.header.begin())];
  };
  auto or_none = [](const std::string& v) { return v.empty() ? std::string("–") : v; };
  for (const auto& row : f57.rows) {
    if (at(row, "c1_tn").empty()) continue;
    std::vector<std::string> out{row[0], row[1], or_none(at(row, "test_images"))};
    for (int c = 1; c <= 4; ++c) {
      const std::string k = "c" + std::to_string(c) + "_";
      out.push_back(at(row, k + "tn") + " " + at(row, k + "fp") + " " + at(row, k + "fn") + " " + at(row, k + "tp"));
    }
    for (const char* f : {"fold_accuracy_total", "fold_accuracy_per_defect"}) {
      const auto mean = at(row, f);
      const auto sd = at(row, std::string(f) + "_std");
      out.push_back(mean.empty() ? "–" : sd.empty() ? mean : mean + " ± " + sd);
    }
    t.rows.push_back(out);
  }
  return t;
}

}  // namespace

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
  // A person reads the thesis's own columns, steel beside the thesis; scripts read the full CSV.
  const std::vector<std::string> lead55{"time_minutes", "avg_loss", "avg_val_loss", "avg_dice",
                                        "avg_val_dice", "test_loss",  "test_dice"};
  const std::vector<std::string> lead56{"total_params", "trainable_params"};
  const std::vector<std::string> lead57{"accuracy_total", "accuracy_per_defect", "c1_acc", "c2_acc", "c3_acc",
                                        "c4_acc"};
  const std::vector<std::string> readable{
      beside_thesis(figures[0].second, lead55).markdown() + "\nSpreads over folds and metrics the thesis did not "
      "report (steel):\n\n" + steel_extras(figures[0].second, lead55).markdown(),
      beside_thesis(figures[1].second, lead56).markdown(),
      beside_thesis(figures[2].second, lead57).markdown() + "\nConfusion counts per defect class (TN FP FN TP), and "
      "the single fold models' accuracies (steel):\n\n" + confusion_table(figures[2].second).markdown()};
  for (std::size_t i = 0; i < figures.size(); ++i) {
    const auto& [name, table] = figures[i];
    write_file_atomically((fs::path(o.out_dir) / (name + ".csv")).string(), table.csv());
    write_file_atomically((fs::path(o.out_dir) / (name + ".md")).string(), readable[i]);
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
                      ". Each figure leads with the thesis's own columns, every cell `steel / thesis` (`–`: no "
                      "value yet, or one the thesis did not report); steel's spreads over folds and extra metrics "
                      "follow. The full tables, a row per source, are figure55.csv, figure56.csv and figure57.csv.\n\n";
  index += "## Figure 55: training and test\n\nLosses and Dice are the fold averages of each fold's best epoch; "
           "`test_*` values are the fold ensemble's on the held-out test set, `fold_test_*` the single fold models' "
           "(mean ± standard deviation); time is the sum over folds.\n\n" +
           readable[0];
  index += "\n## Figure 56: parameters (Keras convention)\n\n" + readable[1];
  index += "\n## Figure 57: test-set classification (fold ensemble; labels by steel_eval's --min-pixels rule, 200 "
           "at 128x800 as in the thesis)\n\n" +
           readable[2];
  index += "\n## Training curves and predictions\n\n" + curves_note;
  for (const auto& b : trained) {
    index += "### " + b + "\n\n";
    if (fs::exists(fs::path(o.out_dir) / ("curves_" + b + ".png"))) {
      index += "![" + b + "](curves_" + b + ".png)\n\n*Dice coefficient and loss of training (solid) and validation "
               "(dashed) in the " + b + " - U-Net model, one line per fold (the thesis's Figures 58-61).*\n\n";
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
      int shown = 0;
      for (const auto& p : pictures) {
        if (p.filename().string().rfind("test_", 0) != 0 || shown == 3) continue;
        index += "![" + p.filename().string() + "](" + link(p) + ")\n\n*" + b + ", test image " +
                 p.stem().string().substr(5) + ": ground truth (above) and the fold ensemble's prediction (below); "
                 "defect class 1 red, 2 yellow, 3 blue, 4 white.*\n\n";
        ++shown;
      }
      index += "All " + std::to_string(pictures.size()) + " overlays: [" + link(overlays) + "](" + link(overlays) +
               ").\n\n";
    }
  }
  const auto index_path = (fs::path(o.out_dir) / "index.md").string();
  write_file_atomically(index_path, index);
  spdlog::info("steel_report: wrote {}", index_path);
  return index_path;
}

}  // namespace steel::report
