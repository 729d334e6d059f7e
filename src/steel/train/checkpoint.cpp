#include "steel/train/checkpoint.h"

#include <algorithm>
#include <sstream>

#include "steel/core/atomic_file.h"
#include "steel/core/error.h"

namespace steel::train {
namespace {

constexpr int64_t kCheckpointVersion = 1;

torch::Tensor int_tensor(int64_t v) { return torch::tensor({v}, torch::kInt64); }
torch::Tensor double_tensor(double v) { return torch::tensor({v}, torch::kFloat64); }

// The loop state is read on the host: the archive maps tensors onto the model's device (see load_checkpoint).
torch::Tensor read_tensor(torch::serialize::InputArchive& archive, const std::string& key) {
  torch::Tensor t;
  archive.read(key, t);
  return t.defined() ? t.cpu() : t;
}

}  // namespace

void save_checkpoint(const std::string& path, const torch::nn::Module& model, const torch::optim::Optimizer& optimizer,
                     const LoopState& state) {
  torch::serialize::OutputArchive archive;
  archive.write("version", int_tensor(kCheckpointVersion));
  torch::serialize::OutputArchive model_archive;
  model.save(model_archive);
  archive.write("model", model_archive);
  torch::serialize::OutputArchive optimizer_archive;
  optimizer.save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);

  archive.write("epoch", int_tensor(state.epoch));
  archive.write("step", int_tensor(state.step));
  archive.write("global_step", int_tensor(state.global_step));
  archive.write("train_seconds", double_tensor(state.train_seconds));
  archive.write("train_sums", state.train_sums.defined() ? state.train_sums.cpu() : torch::Tensor());
  const auto& es = state.early_stopping;
  archive.write("early_stopping", torch::tensor({es.best, static_cast<double>(es.best_epoch), static_cast<double>(es.wait)},
                                                torch::kFloat64));
  std::vector<double> values;
  for (const auto& r : state.history) {
    auto v = run::to_values(r);
    values.insert(values.end(), v.begin(), v.end());
  }
  archive.write("history", torch::tensor(values, torch::kFloat64)
                               .reshape({static_cast<int64_t>(state.history.size()), run::kEpochRecordFields}));
  archive.write("loss_scaler",
                torch::tensor({state.loss_scale, static_cast<double>(state.loss_scale_good_steps)}, torch::kFloat64));
  auto signature = torch::empty({static_cast<int64_t>(state.run_signature.size())}, torch::kUInt8);
  std::copy(state.run_signature.begin(), state.run_signature.end(), signature.data_ptr<uint8_t>());
  archive.write("run_signature", signature);
  // Dropout and drop-connect draw from the default CPU generator; restoring it makes a resumed run identical.
  archive.write("rng_cpu", torch::globalContext().defaultGenerator(torch::kCPU).get_state());

  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomically(path, bytes.str());
}

void load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                     LoopState& state) {
  try {
    // Map every tensor onto the model's own device: LibTorch otherwise moves a parameter to whatever
    // device it was saved from (cuda:0 for a file from rank 0), and Adam's state follows the archive.
    const auto parameters = model.parameters();
    const torch::Device device = parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
    torch::serialize::InputArchive archive;
    archive.load_from(path, device);
    const auto version = read_tensor(archive, "version").item<int64_t>();
    if (version != kCheckpointVersion) {
      throw DataError(path + ": checkpoint version " + std::to_string(version) + ", this steel_train reads " +
                      std::to_string(kCheckpointVersion));
    }
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    model.load(model_archive);
    torch::serialize::InputArchive optimizer_archive;
    archive.read("optimizer", optimizer_archive);
    optimizer.load(optimizer_archive);

    state.epoch = read_tensor(archive, "epoch").item<int64_t>();
    state.step = read_tensor(archive, "step").item<int64_t>();
    state.global_step = read_tensor(archive, "global_step").item<int64_t>();
    state.train_seconds = read_tensor(archive, "train_seconds").item<double>();
    state.train_sums = read_tensor(archive, "train_sums");
    auto es = read_tensor(archive, "early_stopping").contiguous();
    state.early_stopping.best = es[0].item<double>();
    state.early_stopping.best_epoch = static_cast<int>(es[1].item<double>());
    state.early_stopping.wait = static_cast<int>(es[2].item<double>());
    auto history = read_tensor(archive, "history").contiguous();
    state.history.clear();
    for (int64_t e = 0; e < history.size(0); ++e) state.history.push_back(run::from_values(history[e].data_ptr<double>()));
    torch::Tensor signature;
    state.run_signature.clear();
    if (archive.try_read("run_signature", signature) && signature.numel() > 0) {
      signature = signature.cpu().contiguous();
      const auto* bytes = signature.data_ptr<uint8_t>();
      state.run_signature.assign(bytes, bytes + signature.numel());
    }
    torch::Tensor loss_scaler;
    state.loss_scale = 0;
    state.loss_scale_good_steps = 0;
    if (archive.try_read("loss_scaler", loss_scaler) && loss_scaler.numel() == 2) {
      loss_scaler = loss_scaler.cpu().to(torch::kFloat64).contiguous();
      state.loss_scale = loss_scaler[0].item<double>();
      state.loss_scale_good_steps = static_cast<int64_t>(loss_scaler[1].item<double>());
    }
    auto generator = torch::globalContext().defaultGenerator(torch::kCPU);  // a handle to the global one
    generator.set_state(read_tensor(archive, "rng_cpu"));
  } catch (const DataError&) {
    throw;
  } catch (const std::exception& e) {
    throw DataError(path + ": cannot resume from this checkpoint: " + e.what());
  }
}

}  // namespace steel::train
