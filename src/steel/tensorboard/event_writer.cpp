#include "steel/tensorboard/event_writer.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "steel/core/error.h"
#include "steel/core/host.h"
#include "steel/tensorboard/event.pb.h"
#include "steel/tensorboard/tfrecord.h"

namespace steel::tensorboard {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// TensorBoard's writers' name: the zero-padded time keeps a resumed run's files in order.
std::string event_file_name(double seconds) {
  char name[64];
  std::snprintf(name, sizeof name, "events.out.tfevents.%010lld.", static_cast<long long>(seconds));
  return name + host_name() + "." + std::to_string(::getpid()) + ".0";
}

Event event_at(int64_t step) {
  Event event;
  event.set_wall_time(now_seconds());
  event.set_step(step);
  return event;
}

// The hparams plugin's summary: plugin "hparams", content version 0, an empty float tensor as value (what
// TensorBoard's own writer sends).
std::string hparams_event(const std::string& tag, const HParamsPluginData& data) {
  Event event = event_at(0);
  auto* value = event.mutable_summary()->add_value();
  value->set_tag(tag);
  auto* plugin = value->mutable_metadata()->mutable_plugin_data();
  plugin->set_plugin_name("hparams");
  plugin->set_content(data.SerializeAsString());
  auto* tensor = value->mutable_tensor();
  tensor->set_dtype(1);
  tensor->mutable_tensor_shape()->add_dim()->set_size(0);
  return event.SerializeAsString();
}

}  // namespace

EventWriter::EventWriter(const std::string& dir) {
  const double start = now_seconds();
  path_ = (std::filesystem::path(dir) / event_file_name(start)).string();
  out_.open(path_, std::ios::binary | std::ios::app);
  if (!out_) throw DataError(path_ + ": cannot create the TensorBoard event file");
  Event first;
  first.set_wall_time(start);
  first.set_file_version("brain.Event:2");
  write_event(first.SerializeAsString());
}

EventWriter::~EventWriter() { out_.flush(); }

void EventWriter::write_event(const std::string& serialized) {
  out_ << tfrecord(serialized);
  if (!out_) throw DataError(path_ + ": cannot write the TensorBoard event file");
}

void EventWriter::add_scalar(const std::string& tag, double value, int64_t step) {
  Event event = event_at(step);
  auto* v = event.mutable_summary()->add_value();
  v->set_tag(tag);
  v->set_simple_value(static_cast<float>(value));
  write_event(event.SerializeAsString());
}

void EventWriter::add_image(const std::string& tag, const std::string& png, int width, int height, int64_t step) {
  Event event = event_at(step);
  auto* v = event.mutable_summary()->add_value();
  v->set_tag(tag);
  auto* image = v->mutable_image();
  image->set_width(width);
  image->set_height(height);
  image->set_colorspace(3);
  image->set_encoded_image_string(png);
  write_event(event.SerializeAsString());
}

void EventWriter::add_hparams(const std::map<std::string, HParam>& hparams) {
  HParamsPluginData data;
  data.set_version(0);
  auto* start = data.mutable_session_start_info();
  start->set_start_time_secs(now_seconds());
  for (const auto& [name, value] : hparams) {
    auto& out = (*start->mutable_hparams())[name];
    if (const auto* number = std::get_if<double>(&value)) out.set_number_value(*number);
    if (const auto* text = std::get_if<std::string>(&value)) out.set_string_value(*text);
    if (const auto* flag = std::get_if<bool>(&value)) out.set_bool_value(*flag);
  }
  write_event(hparams_event("_hparams_/session_start_info", data));
}

void EventWriter::add_session_end(bool success) {
  HParamsPluginData data;
  data.set_version(0);
  auto* end = data.mutable_session_end_info();
  end->set_status(success ? 1 : 2);
  end->set_end_time_secs(now_seconds());
  write_event(hparams_event("_hparams_/session_end_info", data));
}

void EventWriter::add_session_start(int64_t step) {
  Event event = event_at(step);
  event.mutable_session_log()->set_status(SessionLog::START);
  write_event(event.SerializeAsString());
}

void EventWriter::flush() {
  out_.flush();
  if (!out_) throw DataError(path_ + ": cannot write the TensorBoard event file");
}

}  // namespace steel::tensorboard
