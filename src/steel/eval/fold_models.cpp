#include "steel/eval/fold_models.h"

#include "steel/core/error.h"
#include "steel/models/keras_weights.h"
#include "steel/models/model_factory.h"
#include "steel/run/run_paths.h"
#include "steel/run/run_record.h"

namespace steel::eval {

std::vector<FoldModel> load_fold_models(const std::string& run_dir, const torch::Device& device) {
  std::vector<FoldModel> out;
  const run::RunPaths paths{run_dir};
  for (int k : paths.finished_folds()) {
    FoldModel m;
    m.fold = k;
    const auto record = run::read_run_record(paths.run_json(k));
    m.backbone = record.config.backbone;
    m.image_height = record.image_height;
    m.image_width = record.image_width;
    m.model = models::make_unet(m.backbone);
    models::load_keras_weights(m.model, paths.best_weights(k));
    m.model->to(device);
    m.model->eval();
    if (!out.empty() && (out.front().backbone != m.backbone || out.front().image_height != m.image_height ||
                         out.front().image_width != m.image_width)) {
      throw DataError(paths.fold_dir(k) + ": " + m.backbone + " at " + std::to_string(m.image_height) + "x" +
                      std::to_string(m.image_width) + " differs from fold " + std::to_string(out.front().fold) +
                      "'s " + out.front().backbone + " at " + std::to_string(out.front().image_height) + "x" +
                      std::to_string(out.front().image_width));
    }
    out.push_back(std::move(m));
  }
  if (out.empty()) throw DataError(run_dir + ": no finished fold (fold_<k>/result.csv); train first");
  return out;
}

torch::Tensor ensemble_probabilities(std::vector<FoldModel>& models, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  torch::Tensor sum;
  for (auto& m : models) {
    auto p = m.model->predict(images).to(torch::kFloat32);
    sum = sum.defined() ? sum + p : p;
  }
  return sum / static_cast<double>(models.size());
}

}  // namespace steel::eval
