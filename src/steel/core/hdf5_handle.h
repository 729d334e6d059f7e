// RAII handles and checks for the HDF5 C API, shared by the shard files (data/) and the Keras weight files
// (models/); included only by .cpp files, so HDF5 stays a private dependency.
#pragma once

#include <hdf5.h>

#include <string>
#include <utility>

#include "steel/core/error.h"

namespace steel::h5 {

/// Owns one hid_t and closes it with the matching H5*close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, -1)), closer_(o.closer_) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, -1);
      closer_ = o.closer_;
    }
    return *this;
  }
  ~Handle() { reset(); }
  void reset() {
    if (id_ >= 0 && closer_ != nullptr) closer_(id_);
    id_ = -1;
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  operator hid_t() const { return id_; }  // NOLINT: handles pass straight to the C API

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

/// Throws DataError("<file>: <what>") when an HDF5 call returned a negative id or status.
inline hid_t check(hid_t id, const std::string& file, const std::string& what) {
  if (id < 0) throw DataError(file + ": HDF5 failed to " + what);
  return id;
}

/// Silences HDF5's automatic error-stack printing; our exceptions carry the context instead.
inline void silence_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

/// Silences HDF5's error-stack printing for one scope and restores the handler that was set before.
class QuietErrors {
 public:
  QuietErrors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

}  // namespace steel::h5
