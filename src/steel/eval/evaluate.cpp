#include "steel/eval/evaluate.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <opencv2/core.hpp>
#include <spdlog/spdlog.h>

#include "steel/core/atomic_file.h"
#include "steel/core/error.h"
#include "steel/core/parallel.h"
#include "steel/data/shard_format.h"
#include "steel/eval/fold_models.h"
#include "steel/eval/overlay.h"
#include "steel/models/keras_weights.h"
#include "steel/models/model_factory.h"
#include "steel/loader/batch_plan.h"
#include "steel/run/run_paths.h"
#include "steel/train/device.h"
#include "steel/loader/prefetcher.h"
#include "steel/loader/shard_set.h"

namespace steel::eval {
namespace fs = std::filesystem;

namespace {

// Probabilities back to logits, so that the ensemble goes through the same metric code as single models. The
// clamp is Keras's epsilon for probabilities in its BCE.
torch::Tensor logits_of(const torch::Tensor& p) {
  auto q = p.clamp(1e-7, 1 - 1e-7);
  return torch::log(q) - torch::log1p(-q);
}

// [H,W] uint8 bitfield tensor -> a cv::Mat that owns its pixels.
cv::Mat mat_of(const torch::Tensor& bits) {
  auto u8 = bits.to(torch::kCPU, torch::kUInt8).contiguous();
  return cv::Mat(static_cast<int>(u8.size(0)), static_cast<int>(u8.size(1)), CV_8UC1, u8.data_ptr<uint8_t>()).clone();
}

void draw_records(const loader::ShardSet& data, const std::vector<int64_t>& records, std::vector<FoldModel>& models,
                  const LabelRule& rule, const torch::Device& device, const fs::path& dir, const std::string& prefix) {
  if (records.empty()) return;
  fs::create_directories(dir);
  const int h = data.height();
  const int w = data.width();
  auto batch = loader::assemble_batch(data, records, {});
  torch::NoGradGuard no_grad;
  auto images = batch.images.to(device);
  auto probs = ensemble_probabilities(models, images).cpu();
  std::vector<uint8_t> image(static_cast<std::size_t>(h) * w);
  std::vector<uint8_t> mask(static_cast<std::size_t>(h) * w);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto [reader, index] = data.locate(records[i]);
    reader->read_record(index, image.data(), mask.data());
    const auto& id = reader->meta(index).image_id;
    cv::Mat img(h, w, CV_8UC1, image.data());
    cv::Mat truth(h, w, CV_8UC1, mask.data());
    // The prediction panel shows what the labels say: a class under the min-pixels rule is not drawn.
    const cv::Mat predicted = mat_of(predicted_mask_for_picture(probs[static_cast<int64_t>(i)], rule));
    auto picture = draw_overlay(img, truth, predicted, prefix + " " + id);
    std::string name = id;
    if (const auto jpg = name.find(".jpg"); jpg != std::string::npos) name.erase(jpg, 4);
    for (char& c : name) {
      if (c == ':' || c == '/' || c == '+') c = '_';
    }
    write_png((dir / (prefix + "_" + name + ".png")).string(), picture);
  }
}

}  // namespace

std::string test_metrics_csv(const std::vector<ModelScores>& scores) {
  std::string out = "model,records,test_loss,test_dice,test_kaggle_dice,accuracy_images,accuracy_decisions";
  for (int c = 1; c <= data::kNumClasses; ++c) {
    for (const char* f : {"tn", "fp", "fn", "tp", "accuracy"}) out += "," + std::string(f) + "_" + std::to_string(c);
  }
  out += "\n";
  for (const auto& s : scores) {
    char line[256];
    std::snprintf(line, sizeof line, "%s,%lld,%.9g,%.9g,%.9g,%.6f,%.6f", s.model.c_str(),
                  static_cast<long long>(s.records), s.metrics.loss, s.metrics.dice, s.metrics.kaggle_dice,
                  s.counts.image_accuracy(), s.counts.decision_accuracy());
    out += line;
    for (int c = 0; c < data::kNumClasses; ++c) {
      const auto& m = s.counts.confusion[static_cast<std::size_t>(c)];
      std::snprintf(line, sizeof line, ",%lld,%lld,%lld,%lld,%.6f", static_cast<long long>(m[0]),
                    static_cast<long long>(m[1]), static_cast<long long>(m[2]), static_cast<long long>(m[3]),
                    s.counts.class_accuracy(c));
      out += line;
    }
    out += "\n";
  }
  return out;
}

std::vector<ModelScores> run_eval(const EvalOptions& o) {
  torch::set_num_threads(intra_op_threads(o.threads, /*ranks_on_host=*/1));
  const auto device = train::resolve_device(o.device);
  const auto test_path = (fs::path(o.data_dir) / data::shard_file_name(-1)).string();
  if (!fs::exists(test_path)) throw DataError(test_path + ": missing; steel_prep writes it (--test-per-class)");
  loader::ShardSet test({test_path});
  if (test.info().split != "test") throw DataError(test_path + ": its split attribute is '" + test.info().split + "'");
  if (test.size() == 0) throw DataError(test_path + ": holds no records");
  // The fold shards and the test shard must come from one prep run: open them together.
  loader::ShardSet same_run({(fs::path(o.data_dir) / data::shard_file_name(0)).string(), test_path});

  auto folds = load_fold_models(o.run_dir, device);
  spdlog::info("steel_eval: {} fold model(s) of {} on {} test records ({}x{}) on {}", folds.size(),
               folds.front().backbone, test.size(), test.height(), test.width(), device.str());
  const LabelRule rule{o.threshold, o.min_pixels};

  std::vector<ModelScores> scores(folds.size() + 1);
  // One tensor per model: a fill-constructed vector would share one storage among all of them.
  std::vector<torch::Tensor> sums;
  for (std::size_t m = 0; m <= folds.size(); ++m) sums.push_back(train::MetricSums::zeros());
  for (std::size_t m = 0; m < folds.size(); ++m) scores[m].model = run::RunPaths::fold_name(folds[m].fold);
  scores.back().model = "ensemble";

  loader::Prefetcher test_batches(test, loader::eval_batches(test.size(), o.batch_size, 0, 1),
                                  loader::ordered_loader(o.loader_threads, loader::PrefetcherOptions{}.depth, device));
  torch::NoGradGuard no_grad;
  while (auto batch = test_batches.next()) {
    auto images = batch->images.to(device);
    auto masks = batch->masks.to(device);
    const auto truth = true_labels(masks);
    torch::Tensor mean;
    for (std::size_t m = 0; m < folds.size(); ++m) {
      auto logits = folds[m].model->forward(images).to(torch::kFloat32);
      auto p = torch::sigmoid(logits);
      sums[m] += train::batch_metric_sums(logits, masks).cpu();
      scores[m].counts.add(predicted_labels(p, rule), truth);
      mean = mean.defined() ? mean + p : p;
    }
    mean = mean / static_cast<double>(folds.size());
    sums.back() += train::batch_metric_sums(logits_of(mean), masks).cpu();
    scores.back().counts.add(predicted_labels(mean, rule), truth);
  }
  for (std::size_t m = 0; m < scores.size(); ++m) {
    scores[m].metrics = train::summarize(sums[m]);
    scores[m].records = scores[m].counts.images;
  }
  const run::RunPaths paths{o.run_dir};
  write_file_atomically(paths.test_metrics_csv(), test_metrics_csv(scores));

  if (o.overlays > 0) {
    const fs::path dir = paths.overlays_dir();
    std::vector<int64_t> picks;
    // Spread over the test set rather than the first few records, which all share a class.
    const int64_t n = std::min<int64_t>(o.overlays, test.size());
    for (int64_t i = 0; i < n; ++i) picks.push_back(i * test.size() / n);
    draw_records(test, picks, folds, rule, device, dir, "test");
    for (std::size_t k = 0; k < folds.size(); ++k) {
      auto& f = folds[k];
      std::vector<FoldModel> one{f};
      loader::ShardSet val({(fs::path(o.data_dir) / data::shard_file_name(f.fold)).string()});
      std::vector<int64_t> vpicks;
      const int64_t vn = std::min<int64_t>(std::max(1, o.overlays / 4), val.size());
      for (int64_t i = 0; i < vn; ++i) vpicks.push_back(i * val.size() / vn);
      draw_records(val, vpicks, one, rule, device, dir, "val_fold" + std::to_string(f.fold));
    }
  }
  for (const auto& s : scores) {
    spdlog::info("{:>9}: loss {:.5f} dice {:.4f} kaggle {:.4f} | accuracy images {:.3f} decisions {:.3f}", s.model,
                 s.metrics.loss, s.metrics.dice, s.metrics.kaggle_dice, s.counts.image_accuracy(),
                 s.counts.decision_accuracy());
  }
  return scores;
}

}  // namespace steel::eval
