// efficienttrack.hpp: the C API (efficienttrack.h) as C++ objects: RAII
// handles that throw efficienttrack::Error instead of returning a status.
// Header-only, C++17, nothing here but inline calls into the C functions.
//
// Why a wrapper rather than exporting the engine's et:: classes: the shared
// library then exports one small, stable C ABI (et_* only) that any C++
// compiler and standard library can call, and consumers never see the
// engine's internal headers (xsimd, stb, the kernel tables). The objects are
// the same: Model is et::Model, Tracker is et::Tracker, behind a handle.
//
//   efficienttrack::Model model("model.etb");
//   efficienttrack::Tracker tracker(model);
//   tracker.init(frame, {x, y, w, h});
//   et_result r = tracker.update(next_frame);   // r.box, r.score, r.found
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

#include "efficienttrack.h"

namespace efficienttrack {

class Error : public std::runtime_error {
 public:
  Error(et_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  et_status status() const noexcept { return status_; }

 private:
  et_status status_;
};

namespace detail {
// Throws for a failed status; `message` is the C API's message for it.
inline void check(et_status status, const char* message) {
  if (status != ET_OK) throw Error(status, message);
}
inline void check(et_status status) { check(status, et_last_error()); }

// A move-only owner of a C handle.
template <class Handle, void (*Free)(Handle*)>
class Owner {
 public:
  Owner() = default;
  explicit Owner(Handle* handle) noexcept : handle_(handle) {}
  Owner(Owner&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Owner& operator=(Owner&& other) noexcept {
    if (this != &other) {
      Free(handle_);
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Owner(const Owner&) = delete;
  Owner& operator=(const Owner&) = delete;
  ~Owner() { Free(handle_); }
  Handle* get() const noexcept { return handle_; }

 private:
  Handle* handle_ = nullptr;
};
}  // namespace detail

inline std::string version() { return et_version_string(); }
inline unsigned blob_format_version() { return et_blob_format_version(); }
inline std::string active_isa() { return et_active_isa(); }
inline void set_isa(const std::string& name) { detail::check(et_set_isa(name.c_str())); }
inline void set_threads(int threads) { detail::check(et_set_threads(threads)); }

// An immutable loaded model; trackers keep it alive, so it may go first.
class Model {
 public:
  // A blob path, a built-in name or a config name (see et_model_load).
  explicit Model(const std::string& path_or_name) {
    et_model* m = nullptr;
    detail::check(et_model_load(path_or_name.c_str(), &m));
    model_ = Handle(m);
  }
  // A blob in memory (copied).
  Model(const void* bytes, std::size_t size) {
    et_model* m = nullptr;
    detail::check(et_model_load_memory(bytes, size, &m));
    model_ = Handle(m);
  }
  et_tracker_options default_options() const {
    et_tracker_options options;
    detail::check(et_tracker_options_default(model_.get(), &options));
    return options;
  }
  const et_model* get() const noexcept { return model_.get(); }

 private:
  using Handle = detail::Owner<et_model, et_model_free>;
  Handle model_;
};

// One target's tracker; use it from one thread at a time.
class Tracker {
 public:
  explicit Tracker(const Model& model) { create(model, nullptr); }
  Tracker(const Model& model, const et_tracker_options& options) { create(model, &options); }

  void init(const et_frame& frame, const et_box& box) {
    const et_status status = et_tracker_init(tracker_.get(), &frame, &box);
    detail::check(status, et_tracker_error(tracker_.get()));
  }
  et_result update(const et_frame& frame) {
    et_result result;
    const et_status status = et_tracker_update(tracker_.get(), &frame, &result);
    detail::check(status, et_tracker_error(tracker_.get()));
    return result;
  }
  et_tracker* get() const noexcept { return tracker_.get(); }

 private:
  void create(const Model& model, const et_tracker_options* options) {
    et_tracker* t = nullptr;
    detail::check(et_tracker_create(model.get(), options, &t));
    tracker_ = Handle(t);
  }
  using Handle = detail::Owner<et_tracker, et_tracker_free>;
  Handle tracker_;
};

// An image file decoded to 8-bit RGB (a convenience; see et_image_load).
class Image {
 public:
  explicit Image(const std::string& path) {
    et_image* i = nullptr;
    detail::check(et_image_load(path.c_str(), &i));
    image_ = Handle(i);
  }
  // An ET_PIXEL_RGB8 view, valid while this Image lives.
  et_frame frame() const {
    et_frame f;
    detail::check(et_image_frame(image_.get(), &f));
    return f;
  }

 private:
  using Handle = detail::Owner<et_image, et_image_free>;
  Handle image_;
};

}  // namespace efficienttrack
