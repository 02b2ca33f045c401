// The C API (include/efficienttrack.h) over et::Model, et::Tracker and
// et::load_image. Every entry point is noexcept and catches everything; the
// status it returns and the message it records (on this thread, and on the
// tracker when there is one) come from one place: guarded().
#include "efficienttrack.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "kernels/isa.h"
#include "kernels/kernels.h"
#include "net/model.h"
#include "tracker/image.h"
#include "tracker/preprocess.h"
#include "tracker/tracker.h"
#include "weights/blob.h"
#include "weights/blob_format.h"
#include "weights/error.h"

// The header's version macros and the CMake project version must agree.
static_assert(ET_VERSION_MAJOR == ET_PROJECT_VERSION_MAJOR && ET_VERSION_MINOR == ET_PROJECT_VERSION_MINOR &&
                  ET_VERSION_PATCH == ET_PROJECT_VERSION_PATCH,
              "include/efficienttrack.h ET_VERSION_* differ from project(VERSION) in CMakeLists.txt");
static_assert(std::string_view(ET_VERSION_STRING) == ET_PROJECT_VERSION,
              "include/efficienttrack.h ET_VERSION_STRING differs from project(VERSION) in CMakeLists.txt");

namespace {

// An error message that can always be set: if storing the text runs out of
// memory, a fixed text stands in for it.
class Message {
 public:
  const char* c_str() const noexcept { return fallback_ != nullptr ? fallback_ : text_.c_str(); }
  void clear() noexcept {
    text_.clear();  // keeps the capacity: no allocation, no throw
    fallback_ = nullptr;
  }
  void set(const char* function, const char* what) noexcept {
    try {
      text_.assign(function).append(": ").append(what);
      fallback_ = nullptr;
    } catch (...) {
      fallback_ = "out of memory while storing an error message";
    }
  }

 private:
  std::string text_;
  const char* fallback_ = nullptr;
};

thread_local Message t_last_error;

// A failure the C layer detects itself, with the status it maps to.
class ApiError : public std::runtime_error {
 public:
  ApiError(et_status status, const std::string& what) : std::runtime_error(what), status_(status) {}
  et_status status() const { return status_; }

 private:
  et_status status_;
};

[[noreturn]] void fail(et_status status, const std::string& what) { throw ApiError(status, what); }

template <class T>
void require_pointer(const T* p, const char* argument, const char* expected) {
  if (p == nullptr) fail(ET_ERROR_INVALID_ARGUMENT, std::string(argument) + ": got NULL, expected " + expected);
}

void record(const char* function, const char* what, Message* handle_message) noexcept {
  t_last_error.set(function, what);
  if (handle_message != nullptr) handle_message->set(function, what);
}

// Runs `body` and turns whatever it throws into a status and a message
// (recorded inside each handler, while the exception object is alive).
// `et_error_status`: the status an et::Error from the engine maps to in this
// function (the engine has one error type; its meaning depends on the call).
template <class Body>
et_status guarded(const char* function, et_status et_error_status, Message* handle_message, Body&& body) noexcept {
  try {
    body();
    t_last_error.clear();
    if (handle_message != nullptr) handle_message->clear();
    return ET_OK;
  } catch (const ApiError& e) {
    record(function, e.what(), handle_message);
    return e.status();
  } catch (const et::Error& e) {
    record(function, e.what(), handle_message);
    return et_error_status;
  } catch (const std::bad_alloc&) {
    record(function, "out of memory", handle_message);
    return ET_ERROR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    record(function, e.what(), handle_message);
    return ET_ERROR_INTERNAL;
  } catch (...) {
    record(function, "an exception that is not a std::exception", handle_message);
    return ET_ERROR_INTERNAL;
  }
}

// ---- frames -----------------------------------------------------------------

const char* format_name(et_pixel_format format) {
  switch (format) {
    case ET_PIXEL_RGB8: return "RGB8";
    case ET_PIXEL_BGR8: return "BGR8";
    case ET_PIXEL_RGBA8: return "RGBA8";
    case ET_PIXEL_BGRA8: return "BGRA8";
    case ET_PIXEL_GRAY8: return "GRAY8";
    case ET_PIXEL_FORCE_INT: break;
  }
  return nullptr;
}

// Checks everything about a caller's frame before a byte of it is read: the
// pointers, the sizes, the format, the stride, and that the byte counts
// (the buffer's and the RGB copy's) fit in size_t.
void check_frame(const et_frame* frame) {
  require_pointer(frame, "frame", "an et_frame");
  require_pointer(frame->pixels, "frame: pixels", "the first byte of row 0");
  if (frame->width < 1 || frame->height < 1)
    fail(ET_ERROR_INVALID_ARGUMENT, "frame: size: got " + std::to_string(frame->width) + "x" +
                                        std::to_string(frame->height) + ", expected at least 1x1");
  const int bytes_per_pixel = et_pixel_format_bytes(frame->format);
  if (bytes_per_pixel == 0)
    fail(ET_ERROR_INVALID_ARGUMENT, "frame: pixel format: got " + std::to_string(static_cast<int>(frame->format)) +
                                        ", expected ET_PIXEL_RGB8 (1), BGR8 (2), RGBA8 (3), BGRA8 (4) or GRAY8 (5)");
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  const auto width = static_cast<std::size_t>(frame->width), height = static_cast<std::size_t>(frame->height);
  const auto bpp = static_cast<std::size_t>(bytes_per_pixel);
  if (width > kMax / 3 / height)
    fail(ET_ERROR_INVALID_ARGUMENT, "frame: size: " + std::to_string(width) + "x" + std::to_string(height) +
                                        " pixels do not fit in memory (3 bytes each overflow size_t)");
  const std::size_t row_bytes = width * bpp;  // <= 4/3 * (width*height*3) / height: no overflow
  if (frame->stride < row_bytes)
    fail(ET_ERROR_INVALID_ARGUMENT, "frame: stride: got " + std::to_string(frame->stride) +
                                        " bytes, expected at least width " + std::to_string(width) + " x " +
                                        std::to_string(bpp) + " bytes per " + format_name(frame->format) +
                                        " pixel = " + std::to_string(row_bytes));
  if (height > 1 && frame->stride > (kMax - row_bytes) / (height - 1))
    fail(ET_ERROR_INVALID_ARGUMENT, "frame: stride " + std::to_string(frame->stride) + " x height " +
                                        std::to_string(height) + " overflows size_t");
}

// Rows [y0, y1) and columns [x0, x1) of a frame: the part that is converted.
struct Region {
  int x0, y0, x1, y1;
};

Region whole(const et_frame& frame) { return {0, 0, frame.width, frame.height}; }

// The part of the frame inside `window`. Tracker::update reads no pixel
// outside crop_window(box(), search_factor): the fused preprocessing
// (tracker/preprocess.h) reads the frame directly, only at taps inside the
// window (a tap off the window has weight 0 and reads column 0 of its row,
// whatever it holds). tests/test_c_api.cpp holds this to bit-for-bit
// equality on a 1280x720 sequence whose window is a small part of the frame.
Region inside(const et_frame& frame, et::CropWindow window) {
  const auto clamp = [](std::int64_t v, int hi) { return static_cast<int>(std::clamp<std::int64_t>(v, 0, hi)); };
  return {clamp(window.x1, frame.width), clamp(window.y1, frame.height),
          clamp(std::int64_t{window.x1} + window.size, frame.width),
          clamp(std::int64_t{window.y1} + window.size, frame.height)};
}

// `region` of the frame into the tracker's interleaved RGB buffer `rgb`,
// which keeps the frame's size: it is resized only when the frame size
// changes (then it allocates once), so steady-state updates allocate
// nothing. Pixels outside the region keep whatever they held. Cost for a
// whole 640x480 frame: RGB8 0.03-0.05 ms, BGR8 0.3-0.4 ms, BGRA8 and GRAY8
// 0.4-0.5 ms (an update of vittrack-zoo: about 9 ms); an update converts
// only its search window.
void to_rgb(const et_frame& frame, Region region, et::Image& rgb) {
  const auto width = static_cast<std::size_t>(frame.width), height = static_cast<std::size_t>(frame.height);
  rgb.width = frame.width;
  rgb.height = frame.height;
  rgb.rgb.resize(3 * width * height);
  const auto bpp = static_cast<std::size_t>(et_pixel_format_bytes(frame.format));
  const auto x0 = static_cast<std::size_t>(region.x0);
  const std::size_t n = region.x1 > region.x0 ? static_cast<std::size_t>(region.x1 - region.x0) : 0;
  for (auto y = static_cast<std::size_t>(region.y0); y < static_cast<std::size_t>(region.y1); ++y) {
    const unsigned char* src = frame.pixels + y * frame.stride + x0 * bpp;
    std::uint8_t* dst = rgb.rgb.data() + 3 * (width * y + x0);
    switch (frame.format) {
      case ET_PIXEL_RGB8:
        std::memcpy(dst, src, 3 * n);
        break;
      case ET_PIXEL_BGR8:
        for (std::size_t x = 0; x < n; ++x, src += 3, dst += 3) dst[0] = src[2], dst[1] = src[1], dst[2] = src[0];
        break;
      case ET_PIXEL_RGBA8:
        for (std::size_t x = 0; x < n; ++x, src += 4, dst += 3) dst[0] = src[0], dst[1] = src[1], dst[2] = src[2];
        break;
      case ET_PIXEL_BGRA8:
        for (std::size_t x = 0; x < n; ++x, src += 4, dst += 3) dst[0] = src[2], dst[1] = src[1], dst[2] = src[0];
        break;
      case ET_PIXEL_GRAY8:
        for (std::size_t x = 0; x < n; ++x, src += 1, dst += 3) dst[0] = dst[1] = dst[2] = src[0];
        break;
      case ET_PIXEL_FORCE_INT:  // rejected by check_frame
        break;
    }
  }
}

}  // namespace

// ---- handles ------------------------------------------------------------------

struct et_model {
  std::shared_ptr<const et::Model> model;
};

struct et_tracker {
  et::Tracker tracker;
  et::Image rgb;  // the latest frame as RGB (an update converts its search window only), reused
  Message error;
};

struct et_image {
  et::Image image;
};

namespace {

// Stores a new handle in *out (NULL on failure, so callers can free it unconditionally).
template <class Handle, class Make>
void create_into(Handle** out, const char* out_name, Make&& make) {
  require_pointer(out, out_name, "a place for the new handle");
  *out = nullptr;
  *out = make().release();
}

void check_options(const et_tracker_options& options) {
  if (options.mode != ET_MODE_OPENCV && options.mode != ET_MODE_CORRECT)
    fail(ET_ERROR_INVALID_ARGUMENT, "options: mode: got " + std::to_string(static_cast<int>(options.mode)) +
                                        ", expected ET_MODE_OPENCV (0) or ET_MODE_CORRECT (1)");
  if (!(options.threshold >= 0.f && options.threshold <= 1.f))  // NaN fails too
    fail(ET_ERROR_INVALID_ARGUMENT,
         "options: threshold: got " + std::to_string(options.threshold) + ", expected a number in [0, 1]");
}

et_tracker_options default_options(const et::Model& model) {
  const et::TrackerOptions defaults;
  const bool corner = model.config().head_kind == et::blob::kHeadCorner;
  return {et::default_mode(model.config()) == et::TrackerMode::opencv ? ET_MODE_OPENCV : ET_MODE_CORRECT,
          corner ? defaults.corner_threshold : defaults.score_threshold};
}

et::TrackerOptions tracker_options(const et::Model& model, const et_tracker_options& options) {
  et::TrackerOptions out;
  out.mode = options.mode == ET_MODE_OPENCV ? et::TrackerMode::opencv : et::TrackerMode::correct;
  if (model.config().head_kind == et::blob::kHeadCorner) out.corner_threshold = options.threshold;
  else out.score_threshold = options.threshold;
  return out;
}

}  // namespace

// ---- entry points ---------------------------------------------------------------

extern "C" {

const char* et_status_name(et_status status) {
  switch (status) {
    case ET_OK: return "ET_OK";
    case ET_ERROR_INVALID_ARGUMENT: return "ET_ERROR_INVALID_ARGUMENT";
    case ET_ERROR_NOT_INITIALIZED: return "ET_ERROR_NOT_INITIALIZED";
    case ET_ERROR_MODEL: return "ET_ERROR_MODEL";
    case ET_ERROR_IMAGE: return "ET_ERROR_IMAGE";
    case ET_ERROR_UNSUPPORTED: return "ET_ERROR_UNSUPPORTED";
    case ET_ERROR_OUT_OF_MEMORY: return "ET_ERROR_OUT_OF_MEMORY";
    case ET_ERROR_INTERNAL: return "ET_ERROR_INTERNAL";
    case ET_STATUS_FORCE_INT: break;
  }
  return "unknown status";
}

const char* et_last_error(void) { return t_last_error.c_str(); }

const char* et_version_string(void) { return ET_VERSION_STRING; }

void et_version(int* major, int* minor, int* patch) {
  if (major != nullptr) *major = ET_VERSION_MAJOR;
  if (minor != nullptr) *minor = ET_VERSION_MINOR;
  if (patch != nullptr) *patch = ET_VERSION_PATCH;
}

unsigned int et_blob_format_version(void) { return et::blob::kFormatVersion; }

const char* et_active_isa(void) {
  try {
    return et::isa_name(et::active_kernels().isa);
  } catch (...) {
    return "unknown";  // active_kernels() throws only if $ET_ISA names an ISA this CPU cannot run
  }
}

et_status et_set_isa(const char* name) {
  return guarded("et_set_isa", ET_ERROR_INVALID_ARGUMENT, nullptr, [&] {
    require_pointer(name, "name", "an ISA name");
    const et::Isa isa = et::parse_isa(name);
    if (!et::isa_runnable(isa)) {
      std::string runnable;
      for (const et::Isa r : et::runnable_isas()) runnable += std::string(runnable.empty() ? "" : ", ") + et::isa_name(r);
      fail(ET_ERROR_UNSUPPORTED, std::string("ISA '") + name + "' is not runnable in this build on this CPU; runnable: " + runnable);
    }
    et::set_active_isa(isa);
  });
}

et_status et_set_threads(int threads) {
  return guarded("et_set_threads", ET_ERROR_INVALID_ARGUMENT, nullptr, [&] {
    if (threads < 1) fail(ET_ERROR_INVALID_ARGUMENT, "threads: got " + std::to_string(threads) + ", expected >= 1");
#ifdef _OPENMP
    omp_set_num_threads(threads);
#else
    fail(ET_ERROR_UNSUPPORTED, "this library was built without OpenMP: it always runs on the calling thread");
#endif
  });
}

int et_threads(void) {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

et_status et_model_load(const char* path_or_name, et_model** out_model) {
  return guarded("et_model_load", ET_ERROR_MODEL, nullptr, [&] {
    create_into(out_model, "out_model", [&] {
      require_pointer(path_or_name, "path_or_name", "a blob path, a built-in model name or a config name");
      return std::make_unique<et_model>(et_model{et::Model::load(path_or_name)});
    });
  });
}

et_status et_model_load_memory(const void* bytes, size_t size, et_model** out_model) {
  return guarded("et_model_load_memory", ET_ERROR_MODEL, nullptr, [&] {
    create_into(out_model, "out_model", [&] {
      require_pointer(bytes, "bytes", "a weight blob in memory");
      return std::make_unique<et_model>(et_model{et::Model::from_blob(et::BlobFile::from_memory(bytes, size, "blob in memory"))});
    });
  });
}

void et_model_free(et_model* model) { delete model; }

int et_pixel_format_bytes(et_pixel_format format) {
  switch (format) {
    case ET_PIXEL_RGB8:
    case ET_PIXEL_BGR8: return 3;
    case ET_PIXEL_RGBA8:
    case ET_PIXEL_BGRA8: return 4;
    case ET_PIXEL_GRAY8: return 1;
    case ET_PIXEL_FORCE_INT: break;
  }
  return 0;
}

et_status et_tracker_options_default(const et_model* model, et_tracker_options* out_options) {
  return guarded("et_tracker_options_default", ET_ERROR_INVALID_ARGUMENT, nullptr, [&] {
    require_pointer(model, "model", "a loaded et_model");
    require_pointer(out_options, "out_options", "an et_tracker_options to fill");
    *out_options = default_options(*model->model);
  });
}

et_status et_tracker_create(const et_model* model, const et_tracker_options* options, et_tracker** out_tracker) {
  return guarded("et_tracker_create", ET_ERROR_INVALID_ARGUMENT, nullptr, [&] {
    create_into(out_tracker, "out_tracker", [&] {
      require_pointer(model, "model", "a loaded et_model");
      const et_tracker_options chosen = options != nullptr ? *options : default_options(*model->model);
      check_options(chosen);
      return std::unique_ptr<et_tracker>(
          new et_tracker{et::Tracker(model->model, tracker_options(*model->model, chosen)), {}, {}});
    });
  });
}

void et_tracker_free(et_tracker* tracker) { delete tracker; }

et_status et_tracker_init(et_tracker* tracker, const et_frame* frame, const et_box* box) {
  Message* message = tracker != nullptr ? &tracker->error : nullptr;
  return guarded("et_tracker_init", ET_ERROR_INVALID_ARGUMENT, message, [&] {
    require_pointer(tracker, "tracker", "an et_tracker from et_tracker_create");
    check_frame(frame);
    require_pointer(box, "box", "an et_box");
    // Once per target: the whole frame, so that Tracker::init judges the box.
    to_rgb(*frame, whole(*frame), tracker->rgb);
    tracker->tracker.init(tracker->rgb, et::Box{box->x, box->y, box->w, box->h});
  });
}

et_status et_tracker_update(et_tracker* tracker, const et_frame* frame, et_result* out_result) {
  Message* message = tracker != nullptr ? &tracker->error : nullptr;
  return guarded("et_tracker_update", ET_ERROR_INVALID_ARGUMENT, message, [&] {
    require_pointer(tracker, "tracker", "an et_tracker from et_tracker_create");
    check_frame(frame);
    require_pointer(out_result, "out_result", "an et_result to fill");
    if (!tracker->tracker.initialized())
      fail(ET_ERROR_NOT_INITIALIZED, "called before a successful et_tracker_init");
    // Cannot throw: the tracker checked this window when it accepted its box.
    const et::CropWindow search = et::crop_window(tracker->tracker.box(), tracker->tracker.options().search_factor);
    to_rgb(*frame, inside(*frame, search), tracker->rgb);
    const et::TrackResult r = tracker->tracker.update(tracker->rgb);
    *out_result = {{r.box.x, r.box.y, r.box.w, r.box.h}, r.score, r.found ? 1 : 0};
  });
}

const char* et_tracker_error(const et_tracker* tracker) {
  return tracker != nullptr ? tracker->error.c_str() : "et_tracker_error: tracker: got NULL, expected an et_tracker";
}

et_status et_image_load(const char* path, et_image** out_image) {
  return guarded("et_image_load", ET_ERROR_IMAGE, nullptr, [&] {
    create_into(out_image, "out_image", [&] {
      require_pointer(path, "path", "an image file path");
      return std::make_unique<et_image>(et_image{et::load_image(path)});
    });
  });
}

et_status et_image_frame(const et_image* image, et_frame* out_frame) {
  return guarded("et_image_frame", ET_ERROR_INVALID_ARGUMENT, nullptr, [&] {
    require_pointer(image, "image", "an et_image from et_image_load");
    require_pointer(out_frame, "out_frame", "an et_frame to fill");
    const et::Image& img = image->image;
    *out_frame = {img.rgb.data(), img.width, img.height, std::size_t{3} * static_cast<std::size_t>(img.width),
                  ET_PIXEL_RGB8};
  });
}

void et_image_free(et_image* image) { delete image; }

}  // extern "C"
