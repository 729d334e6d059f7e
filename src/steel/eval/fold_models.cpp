#include "steel/eval/fold_models.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "steel/core/error.h"
#include "steel/models/keras_weights.h"
#include "steel/models/model_factory.h"

namespace steel::eval {
namespace fs = std::filesystem;

std::vector<FoldModel> load_fold_models(const std::string& run_dir, const torch::Device& device) {
  std::vector<FoldModel> out;
  for (int k = 0; k < 64; ++k) {
    const fs::path dir = fs::path(run_dir) / ("fold_" + std::to_string(k));
    if (!fs::exists(dir / "result.csv")) continue;
    FoldModel m;
    m.fold = k;
    const auto json_path = (dir / "run.json").string();
    std::ifstream in(json_path);
    if (!in) throw DataError(json_path + ": cannot open (steel_train writes it next to best.h5)");
    try {
      const auto j = nlohmann::json::parse(in);
      m.backbone = j.at("config").at("backbone").get<std::string>();
      m.image_height = j.value("image_height", 0);
      m.image_width = j.value("image_width", 0);
    } catch (const std::exception& e) {
      throw DataError(json_path + ": not a steel_train run record: " + e.what());
    }
    m.model = models::make_unet(m.backbone);
    models::load_keras_weights(m.model, (dir / "best.h5").string());
    m.model->to(device);
    m.model->eval();
    if (!out.empty() && (out.front().backbone != m.backbone || out.front().image_height != m.image_height ||
                         out.front().image_width != m.image_width)) {
      throw DataError(dir.string() + ": " + m.backbone + " at " + std::to_string(m.image_height) + "x" +
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
