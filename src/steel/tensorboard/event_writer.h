// A TensorBoard event file: scalars, PNG images, the run's hyperparameters (the HPARAMS tab) and session
// markers, written as TensorBoard's own writers do, so `tensorboard --logdir runs/` shows steel's runs.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <variant>

namespace steel::tensorboard {

/// A hyperparameter's value: TensorBoard compares runs by numbers, strings and booleans.
using HParam = std::variant<double, std::string, bool>;

class EventWriter {
 public:
  /// Creates `dir`/events.out.tfevents.<seconds>.<host>.<pid>.0 and writes its version record. Throws
  /// steel::DataError when the file cannot be created.
  explicit EventWriter(const std::string& dir);
  ~EventWriter();
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  void add_scalar(const std::string& tag, double value, int64_t step);
  /// `png`: an encoded PNG of `width` x `height` RGB pixels.
  void add_image(const std::string& tag, const std::string& png, int width, int height, int64_t step);
  /// The session's hyperparameters (one set per TensorBoard run, i.e. per folder).
  void add_hparams(const std::map<std::string, HParam>& hparams);
  /// The session ended, successfully or not (shown as the run's status in the HPARAMS tab).
  void add_session_end(bool success);
  /// Readers drop what an earlier session of this run wrote after `step`: the resume point of a resumed run.
  void add_session_start(int64_t step);

  /// Pushes what was written to the operating system (the trainer calls it once an epoch).
  void flush();
  const std::string& path() const { return path_; }

 private:
  void write_event(const std::string& serialized);

  std::string path_;
  std::ofstream out_;
};

}  // namespace steel::tensorboard
