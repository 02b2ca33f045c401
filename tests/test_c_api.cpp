// The C API (include/efficienttrack.h) and its C++ wrapper
// (efficienttrack.hpp): every error path with its status and message, the
// pixel formats and strides against the C++ Tracker bit for bit, versions,
// ISA and thread queries. The installed package is tested by
// tools/test_install.sh; no allocation per update by et_alloc_tests.
#include <doctest/doctest.h>

#include <climits>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "efficienttrack.h"
#include "efficienttrack.hpp"
#include "kernels/kernels.h"
#include "net/model.h"
#include "tests/test_util.h"
#include "tracker/image.h"
#include "tracker/preprocess.h"
#include "tracker/sequence.h"
#include "tracker/tracker.h"
#include "weights/blob_format.h"

namespace et {
namespace {

const std::string kSequence = std::string(ET_TEST_SHARED_DIR) + "/sequences/otb_Girl";
constexpr int kFrames = 4;  // init + 3 updates per comparison

const std::vector<Image>& first_frames() {
  static const std::vector<Image> frames = [] {
    std::vector<Image> out;
    const std::vector<std::string> paths = list_frames(kSequence);
    for (int i = 0; i < kFrames; ++i) out.push_back(load_image(paths[static_cast<std::size_t>(i)]));
    return out;
  }();
  return frames;
}

Box init_box() { return round_box(read_groundtruth(kSequence + "/groundtruth.txt").at(0), "init"); }
et_box c_box(const Box& b) { return {b.x, b.y, b.w, b.h}; }

// `image` (RGB) laid out in `format` with `padding` extra bytes per row
// (filled with 0xAB, which must never be read as a pixel).
struct Buffer {
  std::vector<unsigned char> bytes;
  et_frame frame{};
};
Buffer layout(const Image& image, et_pixel_format format, std::size_t padding) {
  const auto w = static_cast<std::size_t>(image.width), h = static_cast<std::size_t>(image.height);
  const auto bpp = static_cast<std::size_t>(et_pixel_format_bytes(format));
  Buffer b;
  const std::size_t stride = w * bpp + padding;
  b.bytes.assign(stride * h, 0xAB);
  for (std::size_t y = 0; y < h; ++y)
    for (std::size_t x = 0; x < w; ++x) {
      const std::uint8_t* rgb = &image.rgb[3 * (y * w + x)];
      unsigned char* p = &b.bytes[y * stride + x * bpp];
      switch (format) {
        case ET_PIXEL_RGB8: p[0] = rgb[0], p[1] = rgb[1], p[2] = rgb[2]; break;
        case ET_PIXEL_BGR8: p[0] = rgb[2], p[1] = rgb[1], p[2] = rgb[0]; break;
        case ET_PIXEL_RGBA8: p[0] = rgb[0], p[1] = rgb[1], p[2] = rgb[2], p[3] = 7; break;
        case ET_PIXEL_BGRA8: p[0] = rgb[2], p[1] = rgb[1], p[2] = rgb[0], p[3] = 7; break;
        case ET_PIXEL_GRAY8: p[0] = rgb[1]; break;
        case ET_PIXEL_FORCE_INT: FAIL("not a pixel format"); break;
      }
    }
  b.frame = {b.bytes.data(), image.width, image.height, stride, format};
  return b;
}

// What the C++ Tracker sees for a GRAY8 frame made by layout(): G in R, G and B.
Image gray_as_rgb(const Image& image) {
  Image out = image;
  for (std::size_t i = 0; i < out.rgb.size(); i += 3) out.rgb[i] = out.rgb[i + 2] = out.rgb[i + 1];
  return out;
}

struct ModelHandle {
  et_model* model = nullptr;
  explicit ModelHandle(const char* path_or_name) { REQUIRE(et_model_load(path_or_name, &model) == ET_OK); }
  ~ModelHandle() { et_model_free(model); }
};

struct TrackerHandle {
  et_tracker* tracker = nullptr;
  explicit TrackerHandle(const et_model* model, const et_tracker_options* options = nullptr) {
    REQUIRE(et_tracker_create(model, options, &tracker) == ET_OK);
  }
  ~TrackerHandle() { et_tracker_free(tracker); }
};

void check_same(const et_result& c, const TrackResult& cpp) {
  CHECK(c.box.x == cpp.box.x);
  CHECK(c.box.y == cpp.box.y);
  CHECK(c.box.w == cpp.box.w);
  CHECK(c.box.h == cpp.box.h);
  CHECK(std::memcmp(&c.score, &cpp.score, sizeof(float)) == 0);  // bit for bit
  CHECK(c.found == (cpp.found ? 1 : 0));
}

// A frame nobody may read: every validation must fail before the pixels.
const unsigned char kPixel[4] = {1, 2, 3, 4};

}  // namespace

TEST_CASE("c api: versions and status names") {
  CHECK(std::string(et_version_string()) == ET_VERSION_STRING);
  int major = -1, minor = -1, patch = -1;
  et_version(&major, &minor, &patch);
  CHECK(major == ET_VERSION_MAJOR);
  CHECK(minor == ET_VERSION_MINOR);
  CHECK(patch == ET_VERSION_PATCH);
  CHECK(std::string(et_version_string()) ==
        std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch));
  et_version(nullptr, nullptr, nullptr);  // NULLs are allowed
  CHECK(et_blob_format_version() == blob::kFormatVersion);
  CHECK(std::string(et_status_name(ET_OK)) == "ET_OK");
  CHECK(std::string(et_status_name(ET_ERROR_NOT_INITIALIZED)) == "ET_ERROR_NOT_INITIALIZED");
  CHECK(std::string(et_status_name(static_cast<et_status>(99))) == "unknown status");
  CHECK(efficienttrack::version() == ET_VERSION_STRING);
  CHECK(efficienttrack::blob_format_version() == blob::kFormatVersion);
}

TEST_CASE("c api: ISA and threads") {
  const Isa saved = active_kernels().isa;
  CHECK(std::string(et_active_isa()) == isa_name(saved));

  CHECK(et_set_isa("reference") == ET_OK);
  CHECK(std::string(et_active_isa()) == "reference");
  CHECK(active_kernels().isa == Isa::reference);
  CHECK(std::string(et_last_error()).empty());

  CHECK(et_set_isa("sse9") == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_last_error()).starts_with("et_set_isa: "));
  CHECK(std::string(et_last_error()).find("sse9") != std::string::npos);
  CHECK(et_set_isa(nullptr) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_last_error()) == "et_set_isa: name: got NULL, expected an ISA name");
  for (const Isa isa : {Isa::avx2, Isa::avx512, Isa::neon})
    if (!isa_runnable(isa)) {
      CHECK(et_set_isa(isa_name(isa)) == ET_ERROR_UNSUPPORTED);
      CHECK(std::string(et_last_error()).find("is not runnable in this build on this CPU; runnable: reference") !=
            std::string::npos);
    }
  CHECK_THROWS_AS(efficienttrack::set_isa("sse9"), efficienttrack::Error);
  set_active_isa(saved);

  const int threads = et_threads();
  CHECK(threads >= 1);
  CHECK(et_set_threads(0) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_last_error()) == "et_set_threads: threads: got 0, expected >= 1");
  CHECK(et_set_threads(1) == ET_OK);
  CHECK(et_threads() == 1);
  CHECK(et_set_threads(threads) == ET_OK);
}

TEST_CASE("c api: loading models, and what a failed load says") {
  et_model* model = reinterpret_cast<et_model*>(&model);  // must be reset to NULL on failure
  CHECK(et_model_load("/nonexistent/m.etb", &model) == ET_ERROR_MODEL);
  CHECK(model == nullptr);
  CHECK(std::string(et_last_error()) ==
        "et_model_load: /nonexistent/m.etb: cannot open weight blob: No such file or directory");
  CHECK(et_model_load("no-such-model", &model) == ET_ERROR_MODEL);
  CHECK(std::string(et_last_error()).starts_with("et_model_load: unknown model 'no-such-model'"));
  CHECK(et_model_load(nullptr, &model) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_last_error()) ==
        "et_model_load: path_or_name: got NULL, expected a blob path, a built-in model name or a config name");
  CHECK(et_model_load(ET_TEST_ZOO_BLOB, nullptr) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_last_error()) == "et_model_load: out_model: got NULL, expected a place for the new handle");

  std::vector<std::uint8_t> bytes = test::file_bytes(ET_TEST_ZOO_BLOB);
  REQUIRE(bytes.size() > 4096);
  CHECK(et_model_load_memory(nullptr, 10, &model) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_last_error()) == "et_model_load_memory: bytes: got NULL, expected a weight blob in memory");
  CHECK(et_model_load_memory(bytes.data(), 40, &model) == ET_ERROR_MODEL);  // truncated header
  CHECK(std::string(et_last_error()).starts_with("et_model_load_memory: blob in memory: "));
  std::vector<std::uint8_t> corrupt = bytes;
  corrupt[corrupt.size() / 2] ^= 0x40;  // a weight byte: the checksum catches it
  CHECK(et_model_load_memory(corrupt.data(), corrupt.size(), &model) == ET_ERROR_MODEL);
  CHECK(model == nullptr);
  CHECK(std::string(et_last_error()).starts_with("et_model_load_memory: blob in memory: checksum mismatch"));
  corrupt = bytes;
  std::memcpy(corrupt.data(), "NOTABLOB", 8);
  CHECK(et_model_load_memory(corrupt.data(), corrupt.size(), &model) == ET_ERROR_MODEL);
  CHECK(std::string(et_last_error()) ==
        "et_model_load_memory: blob in memory: not a weight blob: magic 'NOTABLOB', expected 'ETRKBLOB'");

  REQUIRE(et_model_load_memory(bytes.data(), bytes.size(), &model) == ET_OK);
  CHECK(std::string(et_last_error()).empty());  // success clears the message
  bytes.assign(bytes.size(), 0);                // the model holds its own copy
  TrackerHandle tracker(model);
  et_model_free(model);  // the tracker keeps the model alive
  const std::vector<Image>& frames = first_frames();
  Buffer b = layout(frames[0], ET_PIXEL_RGB8, 0);
  const et_box box = c_box(init_box());
  CHECK(et_tracker_init(tracker.tracker, &b.frame, &box) == ET_OK);
  b = layout(frames[1], ET_PIXEL_RGB8, 0);
  et_result r{};
  CHECK(et_tracker_update(tracker.tracker, &b.frame, &r) == ET_OK);
  Tracker cpp(Model::load(ET_TEST_ZOO_BLOB));
  cpp.init(frames[0], init_box());
  check_same(r, cpp.update(frames[1]));

  et_model_free(nullptr);
  et_tracker_free(nullptr);
  et_image_free(nullptr);
  CHECK_THROWS_AS(efficienttrack::Model("/nonexistent/m.etb"), efficienttrack::Error);
  try {
    efficienttrack::Model m("/nonexistent/m.etb");
  } catch (const efficienttrack::Error& e) {
    CHECK(e.status() == ET_ERROR_MODEL);
    CHECK(std::string(e.what()).starts_with("et_model_load: /nonexistent/m.etb: "));
  }
}

TEST_CASE("c api: tracker options, their defaults and their checks") {
  ModelHandle zoo(ET_TEST_ZOO_BLOB), corner("et-c32-d1-fgaf-bn-conv2x2-corner"),
      center("et-c32-d1-af-ln-conv3x3-center");
  et_tracker_options o{};
  REQUIRE(et_tracker_options_default(zoo.model, &o) == ET_OK);
  CHECK(o.mode == ET_MODE_OPENCV);
  CHECK(o.threshold == kDefaultScoreThreshold);
  REQUIRE(et_tracker_options_default(corner.model, &o) == ET_OK);
  CHECK(o.mode == ET_MODE_CORRECT);
  CHECK(o.threshold == 0.f);
  REQUIRE(et_tracker_options_default(center.model, &o) == ET_OK);
  CHECK(o.mode == ET_MODE_CORRECT);
  CHECK(o.threshold == kDefaultScoreThreshold);
  CHECK(et_tracker_options_default(nullptr, &o) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_last_error()) == "et_tracker_options_default: model: got NULL, expected a loaded et_model");
  CHECK(et_tracker_options_default(zoo.model, nullptr) == ET_ERROR_INVALID_ARGUMENT);

  et_tracker* tracker = nullptr;
  CHECK(et_tracker_create(nullptr, nullptr, &tracker) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_last_error()) == "et_tracker_create: model: got NULL, expected a loaded et_model");
  CHECK(et_tracker_create(zoo.model, nullptr, nullptr) == ET_ERROR_INVALID_ARGUMENT);
  et_tracker_options bad = {static_cast<et_tracker_mode>(2), 0.2f};
  CHECK(et_tracker_create(zoo.model, &bad, &tracker) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(tracker == nullptr);
  CHECK(std::string(et_last_error()) ==
        "et_tracker_create: options: mode: got 2, expected ET_MODE_OPENCV (0) or ET_MODE_CORRECT (1)");
  bad = {ET_MODE_CORRECT, 1.5f};
  CHECK(et_tracker_create(zoo.model, &bad, &tracker) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_last_error()) ==
        "et_tracker_create: options: threshold: got 1.500000, expected a number in [0, 1]");
  bad.threshold = std::numeric_limits<float>::quiet_NaN();
  CHECK(et_tracker_create(zoo.model, &bad, &tracker) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_last_error()).starts_with("et_tracker_create: options: threshold: got "));

  // The options reach the tracker: mode correct and a threshold of 1 (never
  // found) on vittrack-zoo equal the C++ Tracker with the same options.
  const et_tracker_options chosen = {ET_MODE_CORRECT, 1.f};
  TrackerHandle c(zoo.model, &chosen);
  TrackerOptions cpp_options;
  cpp_options.mode = TrackerMode::correct;
  cpp_options.score_threshold = 1.f;
  Tracker cpp(Model::load(ET_TEST_ZOO_BLOB), cpp_options);
  const std::vector<Image>& frames = first_frames();
  Buffer b = layout(frames[0], ET_PIXEL_RGB8, 0);
  const et_box box = c_box(init_box());
  REQUIRE(et_tracker_init(c.tracker, &b.frame, &box) == ET_OK);
  cpp.init(frames[0], init_box());
  b = layout(frames[1], ET_PIXEL_RGB8, 0);
  et_result r{};
  REQUIRE(et_tracker_update(c.tracker, &b.frame, &r) == ET_OK);
  CHECK(r.found == 0);
  check_same(r, cpp.update(frames[1]));
}

TEST_CASE("c api: frames, boxes and call order are checked, with the message on the tracker") {
  ModelHandle zoo(ET_TEST_ZOO_BLOB);
  TrackerHandle t(zoo.model);
  et_result r{};
  const et_box box = {0, 0, 2, 2};
  const auto expect = [&](et_status got, et_status status, const std::string& message) {
    CHECK(got == status);
    CHECK(std::string(et_tracker_error(t.tracker)) == message);
    CHECK(std::string(et_last_error()) == message);
  };
  const et_frame good = {kPixel, 1, 1, 3, ET_PIXEL_RGB8};

  expect(et_tracker_update(t.tracker, &good, &r), ET_ERROR_NOT_INITIALIZED,
         "et_tracker_update: called before a successful et_tracker_init");
  expect(et_tracker_init(t.tracker, nullptr, &box), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_init: frame: got NULL, expected an et_frame");
  et_frame f = good;
  f.pixels = nullptr;
  expect(et_tracker_init(t.tracker, &f, &box), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_init: frame: pixels: got NULL, expected the first byte of row 0");
  f = good;
  f.width = 0;
  expect(et_tracker_init(t.tracker, &f, &box), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_init: frame: size: got 0x1, expected at least 1x1");
  f = good;
  f.height = -3;
  expect(et_tracker_update(t.tracker, &f, &r), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_update: frame: size: got 1x-3, expected at least 1x1");
  for (const int format : {0, 6, 1000}) {
    f = good;
    f.format = static_cast<et_pixel_format>(format);
    expect(et_tracker_init(t.tracker, &f, &box), ET_ERROR_INVALID_ARGUMENT,
           "et_tracker_init: frame: pixel format: got " + std::to_string(format) +
               ", expected ET_PIXEL_RGB8 (1), BGR8 (2), RGBA8 (3), BGRA8 (4) or GRAY8 (5)");
    CHECK(et_pixel_format_bytes(f.format) == 0);
  }
  f = {kPixel, 40, 2, 119, ET_PIXEL_RGB8};
  expect(et_tracker_init(t.tracker, &f, &box), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_init: frame: stride: got 119 bytes, expected at least width 40 x 3 bytes per RGB8 pixel = 120");
  f = {kPixel, 40, 2, 159, ET_PIXEL_BGRA8};
  expect(et_tracker_update(t.tracker, &f, &r), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_update: frame: stride: got 159 bytes, expected at least width 40 x 4 bytes per BGRA8 pixel = 160");
  f = {kPixel, 5, 2, 4, ET_PIXEL_GRAY8};
  expect(et_tracker_init(t.tracker, &f, &box), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_init: frame: stride: got 4 bytes, expected at least width 5 x 1 bytes per GRAY8 pixel = 5");
  f = {kPixel, 2, 3, std::numeric_limits<std::size_t>::max() / 2, ET_PIXEL_RGB8};
  expect(et_tracker_init(t.tracker, &f, &box), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_init: frame: stride " + std::to_string(std::numeric_limits<std::size_t>::max() / 2) +
             " x height 3 overflows size_t");
  if (sizeof(std::size_t) == 4) {  // 3 * INT_MAX * INT_MAX fits in 64 bits
    f = {kPixel, INT_MAX, INT_MAX, 3u * static_cast<std::size_t>(INT_MAX), ET_PIXEL_RGB8};
    CHECK(et_tracker_init(t.tracker, &f, &box) == ET_ERROR_INVALID_ARGUMENT);
  }

  expect(et_tracker_init(t.tracker, &good, nullptr), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_init: box: got NULL, expected an et_box");
  const et_box flat = {0, 0, 5, 0};
  expect(et_tracker_init(t.tracker, &good, &flat), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_init: Tracker::init: box 0,0,5,0 has no area: got w=5, h=0, expected w >= 1 and h >= 1");
  const et_box outside = {10, 10, 4, 4};
  expect(et_tracker_init(t.tracker, &good, &outside), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_init: Tracker::init: box 10,10,4,4 lies wholly outside the 1x1 frame, expected it to overlap "
         "the frame");
  expect(et_tracker_update(t.tracker, &good, &r), ET_ERROR_NOT_INITIALIZED,
         "et_tracker_update: called before a successful et_tracker_init");

  // Success clears both messages; a failed update leaves the result alone.
  expect(et_tracker_init(t.tracker, &good, &box), ET_OK, "");
  expect(et_tracker_init(t.tracker, &good, &flat), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_init: Tracker::init: box 0,0,5,0 has no area: got w=5, h=0, expected w >= 1 and h >= 1");
  expect(et_tracker_update(t.tracker, &good, nullptr), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_update: out_result: got NULL, expected an et_result to fill");
  r = {{-7, -7, -7, -7}, -7.f, -7};
  expect(et_tracker_update(t.tracker, nullptr, &r), ET_ERROR_INVALID_ARGUMENT,
         "et_tracker_update: frame: got NULL, expected an et_frame");
  CHECK(r.box.x == -7);
  CHECK(r.found == -7);
  // The failed init after the good one left the tracker initialised.
  expect(et_tracker_update(t.tracker, &good, &r), ET_OK, "");

  // No tracker: the thread's message, and a fixed text for the handle.
  CHECK(et_tracker_update(nullptr, &good, &r) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_last_error()) == "et_tracker_update: tracker: got NULL, expected an et_tracker from et_tracker_create");
  CHECK(et_tracker_init(nullptr, &good, &box) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_tracker_error(nullptr)) == "et_tracker_error: tracker: got NULL, expected an et_tracker");

  // The C++ wrapper throws the same status and message.
  efficienttrack::Model model(ET_TEST_ZOO_BLOB);
  efficienttrack::Tracker wrapped(model);
  try {
    (void)wrapped.update(good);
    FAIL("update before init did not throw");
  } catch (const efficienttrack::Error& e) {
    CHECK(e.status() == ET_ERROR_NOT_INITIALIZED);
    CHECK(std::string(e.what()) == "et_tracker_update: called before a successful et_tracker_init");
  }
}

TEST_CASE("c api: every pixel format and stride tracks bit for bit like the C++ Tracker") {
  ModelHandle zoo(ET_TEST_ZOO_BLOB);
  const auto model = Model::load(ET_TEST_ZOO_BLOB);
  const std::vector<Image>& frames = first_frames();
  const Box box = init_box();
  const et_box cbox = c_box(box);
  // One thread, as the engine is tuned for (results do not depend on it):
  // OpenMP's spinning threads slow down a loaded 2-core CI machine tenfold.
  const int threads = et_threads();
  REQUIRE(et_set_threads(1) == ET_OK);
  const std::pair<et_pixel_format, std::size_t> layouts[] = {{ET_PIXEL_RGB8, 0},  {ET_PIXEL_RGB8, 13},
                                                             {ET_PIXEL_BGR8, 5},  {ET_PIXEL_RGBA8, 64},
                                                             {ET_PIXEL_BGRA8, 1}, {ET_PIXEL_GRAY8, 3}};
  for (const auto& [format, padding] : layouts) {
    INFO("format ", static_cast<int>(format), ", row padding ", padding);
    TrackerHandle c(zoo.model);
    Tracker cpp(model);
    for (int i = 0; i < kFrames; ++i) {
      const Image& rgb = frames[static_cast<std::size_t>(i)];
      const Image seen = format == ET_PIXEL_GRAY8 ? gray_as_rgb(rgb) : rgb;
      const Buffer b = layout(rgb, format, padding);
      if (i == 0) {
        REQUIRE(et_tracker_init(c.tracker, &b.frame, &cbox) == ET_OK);
        cpp.init(seen, box);
        continue;
      }
      et_result r{};
      REQUIRE(et_tracker_update(c.tracker, &b.frame, &r) == ET_OK);
      check_same(r, cpp.update(seen));
    }
    if (format != ET_PIXEL_RGB8 || padding != 0) continue;
    // The C++ wrapper over the same frames gives the same results.
    efficienttrack::Model wrapped_model(ET_TEST_ZOO_BLOB);
    efficienttrack::Tracker wrapped(wrapped_model, wrapped_model.default_options());
    Tracker again(model);
    for (int i = 0; i < kFrames; ++i) {
      const Buffer b = layout(frames[static_cast<std::size_t>(i)], format, 0);
      if (i == 0) {
        wrapped.init(b.frame, cbox);
        again.init(frames[0], box);
      } else {
        check_same(wrapped.update(b.frame), again.update(frames[static_cast<std::size_t>(i)]));
      }
    }
  }
  CHECK(et_set_threads(threads) == ET_OK);
}

TEST_CASE("c api: an update converts only its search window and still tracks bit for bit") {
  // 1280x720 frames, an 11x38 target: the search window (82 pixels) is a
  // small part of the frame, and the pixels outside it in the tracker's RGB
  // buffer are those of earlier frames (or zero). A last frame cut to
  // 700x400 changes the frame size.
  const std::string sequence = std::string(ET_TEST_SHARED_DIR) + "/sequences/uav123_10fps_wakeboard7";
  const std::vector<std::string> paths = list_frames(sequence);
  std::vector<Image> frames;
  for (std::size_t i = 0; i < 5; ++i) frames.push_back(load_image(paths[i]));
  Image cut;
  cut.width = 700, cut.height = 400;
  for (int y = 0; y < cut.height; ++y) {
    const auto row = frames.back().rgb.begin() + 3 * y * frames.back().width;
    cut.rgb.insert(cut.rgb.end(), row, row + 3 * cut.width);
  }
  frames.push_back(cut);
  const Box box = round_box(read_groundtruth(sequence + "/groundtruth.txt").at(0), "init");
  REQUIRE(crop_window(box, TrackerOptions{}.search_factor).size < frames[0].width / 4);

  const int threads = et_threads();
  REQUIRE(et_set_threads(1) == ET_OK);
  ModelHandle zoo(ET_TEST_ZOO_BLOB);
  TrackerHandle c(zoo.model);
  Tracker cpp(Model::load(ET_TEST_ZOO_BLOB));
  const et_box cbox = c_box(box);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    INFO("frame ", i);
    const Buffer b = layout(frames[i], ET_PIXEL_BGR8, 7);
    if (i == 0) {
      REQUIRE(et_tracker_init(c.tracker, &b.frame, &cbox) == ET_OK);
      cpp.init(frames[0], box);
      continue;
    }
    et_result r{};
    REQUIRE(et_tracker_update(c.tracker, &b.frame, &r) == ET_OK);
    const TrackResult expected = cpp.update(frames[i]);
    CHECK(expected.found);
    check_same(r, expected);
  }
  CHECK(et_set_threads(threads) == ET_OK);
}

TEST_CASE("c api: image files") {
  et_image* image = reinterpret_cast<et_image*>(&image);
  CHECK(et_image_load("/nonexistent/frame.jpg", &image) == ET_ERROR_IMAGE);
  CHECK(image == nullptr);
  CHECK(std::string(et_last_error()) ==
        "et_image_load: load_image: cannot open '/nonexistent/frame.jpg': No such file or directory");
  CHECK(et_image_load(nullptr, &image) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_last_error()) == "et_image_load: path: got NULL, expected an image file path");
  et_frame frame{};
  CHECK(et_image_frame(nullptr, &frame) == ET_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(et_last_error()) == "et_image_frame: image: got NULL, expected an et_image from et_image_load");

  const std::string path = list_frames(kSequence).at(0);
  REQUIRE(et_image_load(path.c_str(), &image) == ET_OK);
  CHECK(et_image_frame(image, nullptr) == ET_ERROR_INVALID_ARGUMENT);
  REQUIRE(et_image_frame(image, &frame) == ET_OK);
  const Image& expected = first_frames()[0];
  CHECK(frame.width == expected.width);
  CHECK(frame.height == expected.height);
  CHECK(frame.stride == 3 * static_cast<std::size_t>(expected.width));
  CHECK(frame.format == ET_PIXEL_RGB8);
  CHECK(std::memcmp(frame.pixels, expected.rgb.data(), expected.rgb.size()) == 0);
  et_image_free(image);

  const efficienttrack::Image wrapped(path);
  CHECK(std::memcmp(wrapped.frame().pixels, expected.rgb.data(), expected.rgb.size()) == 0);
  CHECK_THROWS_AS(efficienttrack::Image("/nonexistent/frame.jpg"), efficienttrack::Error);
}

}  // namespace et
