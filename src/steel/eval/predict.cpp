#include "steel/eval/predict.h"

#include <algorithm>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <spdlog/spdlog.h>

#include "steel/core/atomic_file.h"
#include "steel/core/error.h"
#include "steel/core/parallel.h"
#include "steel/data/defect_mask.h"
#include "steel/data/record_encoding.h"
#include "steel/data/rle.h"
#include "steel/eval/classification.h"
#include "steel/eval/fold_models.h"
#include "steel/eval/overlay.h"
#include "steel/train/device.h"

namespace steel::eval {
namespace fs = std::filesystem;

int64_t run_predict(const PredictOptions& o) {
  torch::set_num_threads(intra_op_threads(o.threads, /*ranks_on_host=*/1));
  const auto device = train::resolve_device(o.device);
  auto folds = load_fold_models(o.run_dir, device);
  const int h = folds.front().image_height;
  const int w = folds.front().image_width;
  if (h <= 0 || w <= 0) throw DataError(o.run_dir + ": run.json lacks image_height/image_width; retrain with this version");

  std::vector<fs::path> files;
  if (!fs::is_directory(o.images_dir)) throw DataError(o.images_dir + ": not a folder");
  for (const auto& e : fs::directory_iterator(o.images_dir)) {
    if (e.path().extension() == ".jpg") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw DataError(o.images_dir + ": no .jpg files");
  if (!o.overlays_dir.empty()) fs::create_directories(o.overlays_dir);
  spdlog::info("steel_predict: {} images with {} fold model(s) of {} at {}x{} on {}", files.size(), folds.size(),
               folds.front().backbone, h, w, device.str());

  const LabelRule rule{o.threshold, o.min_pixels};
  const bool legacy = o.format == "legacy";
  std::string csv = legacy ? "ImageId_ClassId,EncodedPixels\n" : "ImageId,EncodedPixels,ClassId\n";
  torch::NoGradGuard no_grad;
  for (std::size_t first = 0; first < files.size(); first += static_cast<std::size_t>(o.batch_size)) {
    const std::size_t n = std::min(files.size() - first, static_cast<std::size_t>(o.batch_size));
    std::vector<cv::Mat> originals;
    auto batch = torch::empty({static_cast<int64_t>(n), data::kInputChannels, h, w});
    for (std::size_t i = 0; i < n; ++i) {
      const auto& path = files[first + i];
      cv::Mat gray = cv::imread(path.string(), cv::IMREAD_GRAYSCALE);
      if (gray.empty()) throw DataError(path.string() + ": cannot decode the image");
      originals.push_back(gray);
      // Exactly what steel_prep stored (INTER_AREA to the training resolution), then what the trainer feeds.
      const cv::Mat small = data::resize_image(gray, h, w);
      TORCH_CHECK(small.isContinuous(), "steel_predict: a resized image is not contiguous");
      data::encode_input(small.data, h, w, batch[static_cast<int64_t>(i)].data_ptr<float>());
    }
    auto probs = ensemble_probabilities(folds, batch.to(device)).cpu();
    const auto present = predicted_labels(probs, rule);
    for (std::size_t i = 0; i < n; ++i) {
      const cv::Mat& original = originals[i];
      // Bilinear upsampling of probabilities, then the threshold: smoother borders than upsampling a binary mask.
      auto full = torch::nn::functional::interpolate(
          probs[static_cast<int64_t>(i)].unsqueeze(0),
          torch::nn::functional::InterpolateFuncOptions()
              .size(std::vector<int64_t>{original.rows, original.cols})
              .mode(torch::kBilinear)
              .align_corners(false))[0];
      // The classes are decided at the model's resolution, where min_pixels is counted.
      const auto bits = class_bitfield(full, present[static_cast<int64_t>(i)], o.threshold).contiguous();
      const std::string id = files[first + i].filename().string();
      for (int c = 0; c < data::kNumClasses; ++c) {
        const std::string rle =
            data::encode_rle(bits.data_ptr<uint8_t>(), original.rows, original.cols, data::class_bit(c));
        const std::string cls = std::to_string(c + 1);
        csv += legacy ? id + "_" + cls + "," + rle + "\n" : id + "," + rle + "," + cls + "\n";
      }
      if (!o.overlays_dir.empty()) {
        // Raw images have no ground truth: the picture is the prediction panel alone.
        cv::Mat predicted(original.rows, original.cols, CV_8UC1, bits.data_ptr<uint8_t>());
        write_png((fs::path(o.overlays_dir) / (files[first + i].stem().string() + ".png")).string(),
                  draw_prediction_overlay(original, predicted, id));
      }
    }
  }
  write_file_atomically(o.out_csv, csv);
  spdlog::info("steel_predict: wrote {} ({} rows)", o.out_csv, files.size() * data::kNumClasses);
  return static_cast<int64_t>(files.size());
}

}  // namespace steel::eval
