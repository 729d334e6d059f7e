// The trained models of a run folder: every finished fold's best weights, ready for inference.
#pragma once

#include <string>
#include <vector>

#include <torch/torch.h>

#include "steel/models/unet.h"

namespace steel::eval {

struct FoldModel {
  int fold = 0;
  std::string backbone;
  int image_height = 0;  ///< the resolution it was trained at (run.json)
  int image_width = 0;
  models::UNet model{nullptr};
};

/// Loads fold_<k>/best.h5 of every fold of `run_dir` that has a result.csv (finished), in fold order, on `device`,
/// in eval mode. Throws steel::DataError naming the file when none is finished, a run.json is unreadable, or the
/// folds disagree on backbone or resolution.
std::vector<FoldModel> load_fold_models(const std::string& run_dir, const torch::Device& device);

/// The ensemble's probabilities: the mean of the models' sigmoid outputs for images [N,3,H,W].
torch::Tensor ensemble_probabilities(std::vector<FoldModel>& models, const torch::Tensor& images);

}  // namespace steel::eval
