// The tracking loop (tracker/tracker.h): the loop against its own building
// blocks, both modes, sharing one model, no allocation per update, and every
// edge case tracker.md lists.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "net/model.h"
#include "tests/image_files.h"
#include "tests/test_util.h"
#include "tracker/decode.h"
#include "tracker/image.h"
#include "tracker/preprocess.h"
#include "tracker/track_sequence.h"
#include "tracker/tracker.h"

// Allocation counting for the whole test binary (this is its one file that
// includes the replacement operators).
#include "tests/counting_new.h"

namespace et {
namespace {

const std::string kShared = ET_TEST_SHARED_DIR;

std::shared_ptr<const Model> zoo() {
  static const std::shared_ptr<const Model> model = Model::load(ET_TEST_ZOO_BLOB);
  return model;
}

std::string box_text(const Box& b) {
  return std::to_string(b.x) + "," + std::to_string(b.y) + "," + std::to_string(b.w) + "," + std::to_string(b.h);
}

std::string frame_path(const std::string& sequence, int index) {
  char name[32];
  std::snprintf(name, sizeof name, "/img/%08d.jpg", index);
  return kShared + "/sequences/" + sequence + name;
}

// A w x h frame: a smooth gradient background and a 16x16 checkered target
// with its top-left corner at (tx, ty). gray: R = G = B.
Image scene(int w, int h, int tx, int ty, bool gray = false) {
  Image img{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(3 * w * h))};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const bool target = x >= tx && x < tx + 16 && y >= ty && y < ty + 16;
      int v[3] = {(x * 3 + y) % 160, (x + 2 * y) % 140 + 40, (2 * x + 5 * y) % 120 + 20};
      if (target) {
        const bool on = ((x - tx) / 4 + (y - ty) / 4) % 2 == 0;
        v[0] = on ? 250 : 10, v[1] = on ? 200 : 30, v[2] = on ? 40 : 220;
      }
      for (int c = 0; c < 3; ++c)
        img.rgb[static_cast<std::size_t>(3 * (y * w + x) + c)] = static_cast<std::uint8_t>(gray ? v[0] : v[c]);
    }
  return img;
}

struct Step {
  Box box;
  float score = 0;
  bool found = false;
};

// tracker.md's loop written out with the building blocks, no Tracker.
std::vector<Step> manual_loop(const std::vector<Image>& frames, const Box& init, EdgeMode edge, ChannelOrder order) {
  auto net = zoo()->create_network();
  std::vector<float> z(3 * 128 * 128), x(3 * 256 * 256);
  crop_resize_normalize(frames[0], crop_window(init, 2.0), 128, edge, order, z.data());
  net->set_template(z.data());
  Box last = init;
  std::vector<Step> steps;
  for (std::size_t i = 1; i < frames.size(); ++i) {
    const CropWindow search = crop_window(last, 4.0);
    crop_resize_normalize(frames[i], search, 256, edge, order, x.data());
    net->run(x.data());
    const CenterHeadMaps maps = net->center_maps();
    const DecodeResult d = decode_center(maps.score, maps.size, maps.offset, last, search);
    if (d.found) last = d.box;
    steps.push_back({d.box, d.score, d.found});
  }
  return steps;
}

std::vector<Step> tracker_loop(const std::vector<Image>& frames, const Box& init, TrackerMode mode) {
  Tracker t(zoo(), TrackerOptions{mode});
  t.init(frames[0], init);
  std::vector<Step> steps;
  for (std::size_t i = 1; i < frames.size(); ++i) {
    const TrackResult r = t.update(frames[i]);
    steps.push_back({r.box, r.score, r.found});
  }
  return steps;
}

void check_same_steps(const std::vector<Step>& got, const std::vector<Step>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    INFO("got " << box_text(got[i].box) << " " << got[i].score << ", want " << box_text(want[i].box) << " "
                << want[i].score);
    CHECK(got[i].box == want[i].box);
    CHECK(got[i].score == want[i].score);
    CHECK(got[i].found == want[i].found);
  }
}

}  // namespace

TEST_CASE("tracker: update() is tracker.md's loop over crop_window, crop_resize_normalize, run, decode_center") {
  // otb_Girl frames 1-5, then a 1280x720 uav123 frame (the frame size changes
  // mid-sequence: boxes stay in pixel coordinates), then otb_Girl again.
  std::vector<Image> frames;
  for (int i = 1; i <= 5; ++i) frames.push_back(load_image(frame_path("otb_Girl", i)));
  frames.push_back(load_image(frame_path("uav123_10fps_wakeboard7", 1)));
  frames.push_back(load_image(frame_path("otb_Girl", 6)));
  const Box init{57, 21, 31, 45};
  SUBCASE("opencv mode") {
    check_same_steps(tracker_loop(frames, init, TrackerMode::opencv),
                     manual_loop(frames, init, EdgeMode::opencv, ChannelOrder::bgr));
  }
  SUBCASE("correct mode") {
    check_same_steps(tracker_loop(frames, init, TrackerMode::correct),
                     manual_loop(frames, init, EdgeMode::correct, ChannelOrder::rgb));
  }
}

TEST_CASE("tracker: corner-head models map the soft-argmax corners back, no window, every box accepted") {
  // A small VitTrack-family corner-head config with seeded random weights.
  const auto model = Model::load("vit-d1-c64-standard-corner");
  REQUIRE(model->create_network()->head_kind() == HeadKind::corner);
  CHECK(default_mode(model->config()) == TrackerMode::correct);
  std::vector<Image> frames;
  for (int i = 1; i <= 4; ++i) frames.push_back(load_image(frame_path("otb_Girl", i)));
  const Box init{57, 21, 31, 45};
  const int zs = static_cast<int>(model->config().template_size), xs = static_cast<int>(model->config().search_size);

  // The loop written out: crop, run, corner_output, decode_corner, accept.
  auto net = model->create_network();
  std::vector<float> z(static_cast<std::size_t>(3 * zs * zs)), x(static_cast<std::size_t>(3 * xs * xs));
  crop_resize_normalize(frames[0], crop_window(init, 2.0), zs, EdgeMode::correct, ChannelOrder::rgb, z.data());
  net->set_template(z.data());
  Box last = init;
  Tracker t(model, TrackerOptions{TrackerMode::correct});
  t.init(frames[0], init);
  for (std::size_t i = 1; i < frames.size(); ++i) {
    CAPTURE(i);
    const CropWindow search = crop_window(last, 4.0);
    crop_resize_normalize(frames[i], search, xs, EdgeMode::correct, ChannelOrder::rgb, x.data());
    net->run(x.data());
    const CornerHeadOutput c = net->corner_output();
    const DecodeResult d = decode_corner(c.box, c.confidence, last, search);
    const TrackResult want = accept_decoded(d, last, 4.0);
    last = want.box;
    const TrackResult got = t.update(frames[i]);
    CHECK(got.box == want.box);
    CHECK(got.score == want.score);
    CHECK(got.score == c.confidence);
    CHECK(got.found == want.found);
    CHECK(got.found == (d.box.w >= 1 && d.box.h >= 1));  // threshold 0: only a box without area is refused
  }

  // A confidence threshold above 1 never moves the box.
  Tracker strict(model, TrackerOptions{TrackerMode::correct, 0.2f, 1.5f});
  strict.init(frames[0], init);
  const TrackResult r = strict.update(frames[1]);
  CHECK(!r.found);
  CHECK(r.box == init);
  CHECK(r.score > 0.f);
  CHECK(test::error_of([&] { Tracker(model, TrackerOptions{TrackerMode::correct, 0.2f, std::nanf("")}); }) ==
        "Tracker: corner threshold: got nan, expected a finite number");

  // No allocation per update for corner heads either.
  CHECK(test::allocations_during([&] {
          t.update(frames[1]);
          t.update(frames[2]);
        }) == 0);
}

TEST_CASE("tracker: correct mode (RGB, no edge quirk) gives different scores than opencv mode") {
  std::vector<Image> frames;
  for (int i = 1; i <= 3; ++i) frames.push_back(load_image(frame_path("otb_Girl", i)));
  const auto a = tracker_loop(frames, {57, 21, 31, 45}, TrackerMode::opencv);
  const auto b = tracker_loop(frames, {57, 21, 31, 45}, TrackerMode::correct);
  CHECK(a[0].score != b[0].score);
  CHECK(mode_name(TrackerMode::correct) == "correct");
  CHECK(parse_mode("opencv", "--mode") == TrackerMode::opencv);
  CHECK(test::error_of([] { parse_mode("bgr", "--mode"); }) == "--mode: got 'bgr', expected opencv or correct");
  CHECK(default_mode(zoo()->config()) == TrackerMode::opencv);
}

TEST_CASE("tracker: init rounds a fractional box half up, as the reference does for vot2015_bag") {
  const Image frame = load_image(frame_path("vot2015_bag", 1));
  Tracker t(zoo());
  t.init(frame, BoxF{291.827, 124.711, 150.346, 139.578});  // groundtruth.txt row 1
  CHECK(t.box() == Box{292, 125, 150, 140});                 // reftrack-stb line 1
  t.init(frame, BoxF{10.5, 20.49, 30.5, 40.5});
  CHECK(t.box() == Box{11, 20, 31, 41});
  t.init(frame, BoxF{-1.5, -0.5, 3.5, 1.49});  // floor(v + 0.5): -1.5 -> -1, -0.5 -> 0
  CHECK(t.box() == Box{-1, 0, 4, 1});
}

TEST_CASE("tracker: many trackers share one model, each with its own state") {
  const Image girl1 = load_image(frame_path("otb_Girl", 1)), girl2 = load_image(frame_path("otb_Girl", 2));
  const Image cross1 = load_image(frame_path("otb_Crossing", 1)), cross2 = load_image(frame_path("otb_Crossing", 2));
  const auto alone = [&](const Image& f1, const Image& f2, const Box& b) {
    Tracker t(zoo());
    t.init(f1, b);
    return t.update(f2);
  };
  const TrackResult girl = alone(girl1, girl2, {57, 21, 31, 45});
  const TrackResult cross = alone(cross1, cross2, {205, 151, 17, 50});
  // Interleaved on the same Model: init both, then update both.
  Tracker a(zoo()), b(zoo());
  a.init(girl1, Box{57, 21, 31, 45});
  b.init(cross1, Box{205, 151, 17, 50});
  const TrackResult ra = a.update(girl2);
  const TrackResult rb = b.update(cross2);
  CHECK(ra.box == girl.box);
  CHECK(ra.score == girl.score);
  CHECK(rb.box == cross.box);
  CHECK(rb.score == cross.score);
  CHECK(rb.box == Box{202, 151, 20, 48});  // reftrack-stb otb_Crossing line 2
}

TEST_CASE("tracker: update() allocates nothing, from the first update on") {
  const Image f1 = load_image(frame_path("otb_Crossing", 1)), f2 = load_image(frame_path("otb_Crossing", 2));
  const Image big = load_image(frame_path("uav123_10fps_wakeboard7", 1));
  Tracker t(zoo());
  t.init(f1, Box{205, 151, 17, 50});
  CHECK(test::allocations_during([&] {
          t.update(f2);
          t.update(f1);
          t.update(big);  // another frame size: the fused crop's cost does not depend on it
        }) == 0);
  // The counter works: a vector allocates.
  CHECK(test::allocations_during([] { std::vector<int> v(10); }) == 1);
}

TEST_CASE("tracker: a box partly outside the frame is cropped with black padding") {
  const Image frame = load_image(frame_path("otb_Girl", 1));  // 128x96
  for (const Box box : {Box{-10, -5, 30, 40}, Box{110, 80, 40, 30}}) {
    CAPTURE(box_text(box));
    Tracker t(zoo());
    t.init(frame, box);
    const TrackResult r = t.update(frame);
    CHECK(std::isfinite(r.score));
    CHECK(r.box.w >= 1);
    CHECK(r.box.h >= 1);
    const std::vector<Image> frames{frame, frame};
    check_same_steps({{r.box, r.score, r.found}}, manual_loop(frames, box, EdgeMode::opencv, ChannelOrder::bgr));
  }
}

TEST_CASE("tracker: an init box wholly outside the frame, or without area, is an error") {
  const Image frame = load_image(frame_path("otb_Girl", 1));  // 128x96
  Tracker t(zoo());
  CHECK(test::error_of([&] { t.init(frame, Box{128, 10, 5, 5}); }) ==
        "Tracker::init: box 128,10,5,5 lies wholly outside the 128x96 frame, expected it to overlap the frame");
  CHECK(test::error_of([&] { t.init(frame, Box{-5, 10, 5, 5}); }) ==
        "Tracker::init: box -5,10,5,5 lies wholly outside the 128x96 frame, expected it to overlap the frame");
  CHECK(test::error_of([&] { t.init(frame, Box{10, 96, 5, 5}); }).find("lies wholly outside") != std::string::npos);
  CHECK(test::error_of([&] { t.init(frame, Box{10, 10, 0, 5}); }) ==
        "Tracker::init: box 10,10,0,5 has no area: got w=0, h=5, expected w >= 1 and h >= 1");
  CHECK(test::error_of([&] { t.init(frame, Box{10, 10, 5, -3}); }) ==
        "Tracker::init: box 10,10,5,-3 has no area: got w=5, h=-3, expected w >= 1 and h >= 1");
  CHECK(test::error_of([&] { t.init(frame, BoxF{10, 10, 0.4, 5}); }) ==
        "Tracker::init: box: box 10,10,0.4,5 rounds to w=0, h=5, expected w, h >= 1");
  CHECK(test::error_of([&] { t.init(frame, BoxF{10, 10, std::numeric_limits<double>::quiet_NaN(), 5}); }) ==
        "Tracker::init: box: box is not finite or too large: got 10,10,nan,5, expected finite values within 1e9");
  CHECK(!t.initialized());
  CHECK(test::error_of([&] { t.update(frame); }) == "Tracker::update: called before init");
  // A box touching the frame by one pixel is accepted.
  t.init(frame, Box{127, 95, 5, 5});
  CHECK(t.initialized());
}

TEST_CASE("tracker: boxes of width or height 1 track, and never yield a box without area") {
  const Image f1 = load_image(frame_path("otb_Girl", 1)), f2 = load_image(frame_path("otb_Girl", 2));
  for (const Box box : {Box{70, 40, 1, 1}, Box{70, 40, 1, 30}, Box{70, 40, 30, 1}}) {
    CAPTURE(box_text(box));
    Tracker t(zoo());
    t.init(f1, box);
    for (int i = 0; i < 4; ++i) {
      const TrackResult r = t.update(i % 2 == 0 ? f2 : f1);
      CHECK(std::isfinite(r.score));
      CHECK(r.box.w >= 1);
      CHECK(r.box.h >= 1);
      CHECK(t.box() == r.box);
    }
  }
}

TEST_CASE("tracker: a decoded box with w or h 0, or too large to crop, counts as not found") {
  const Box last{10, 20, 30, 40};
  DecodeResult d;
  d.score = 0.7f;
  d.found = true;
  d.box = {5, 6, 0, 12};  // floor(w * crop) == 0: the next crop_window would throw
  TrackResult r = accept_decoded(d, last, 4.0);
  CHECK(r.box == last);
  CHECK(!r.found);
  CHECK(r.score == 0.7f);
  d.box = {5, 6, 12, 0};
  CHECK(!accept_decoded(d, last, 4.0).found);
  d.box = {2147483000, 6, 600, 600};  // its 2400 px search window would pass INT_MAX
  CHECK(!accept_decoded(d, last, 4.0).found);
  d.box = {5, 6, 1, 1};
  r = accept_decoded(d, last, 4.0);
  CHECK(r.found);
  CHECK(r.box == Box{5, 6, 1, 1});
  d.found = false;  // below the threshold: previous box
  r = accept_decoded(d, last, 4.0);
  CHECK(!r.found);
  CHECK(r.box == last);
}

TEST_CASE("tracker: frames smaller than the crop are padded with black") {
  // 24x20 frame, 10x8 target: template crop 18 px, search crop 36 px, larger than the frame.
  const Image small = scene(24, 20, 6, 5);
  const Box box{6, 5, 10, 8};
  const std::vector<Image> frames{small, scene(24, 20, 7, 5), scene(24, 20, 8, 6)};
  const auto got = tracker_loop(frames, box, TrackerMode::opencv);
  check_same_steps(got, manual_loop(frames, box, EdgeMode::opencv, ChannelOrder::bgr));
  // A 1x1 frame works too.
  const Image dot{1, 1, {200, 100, 50}};
  Tracker t(zoo());
  t.init(dot, Box{0, 0, 1, 1});
  CHECK(std::isfinite(t.update(dot).score));
}

TEST_CASE("tracker: a search window that misses the frame keeps the box, score 0, not found") {
  const Image big = load_image(frame_path("uav123_10fps_wakeboard7", 1));  // 1280x720
  const Image girl = load_image(frame_path("otb_Girl", 2));                // 128x96
  Tracker t(zoo());
  t.init(big, Box{900, 600, 20, 20});  // search window 80 px at (870, 570): beyond a 128x96 frame
  const TrackResult r = t.update(girl);
  CHECK(!r.found);
  CHECK(r.score == 0.f);
  CHECK(r.box == Box{900, 600, 20, 20});
  CHECK(t.timing().updates == 0);  // the network did not run
  // The frame grows back: tracking resumes.
  const TrackResult again = t.update(big);
  CHECK(again.score > 0.f);
  CHECK(t.timing().updates == 1);
}

TEST_CASE("tracker: gray, RGBA, 16-bit and CMYK files track like the RGB they decode to") {
  const std::string dir = test::temp_dir("tracker-formats");
  const int w = 64, h = 48;
  const Image colour = scene(w, h, 20, 14), gray = scene(w, h, 20, 14, true);
  const Image colour2 = scene(w, h, 23, 15), gray2 = scene(w, h, 23, 15, true);
  const auto samples = [](const Image& img, int channels, bool alpha, int scale) {
    std::vector<std::uint16_t> s;
    for (std::size_t p = 0; p < img.rgb.size(); p += 3) {
      for (int c = 0; c < channels; ++c) s.push_back(static_cast<std::uint16_t>(img.rgb[p + static_cast<std::size_t>(c)] * scale));
      if (alpha) s.push_back(static_cast<std::uint16_t>((p / 3 * 37) % 256 * scale));
    }
    return s;
  };
  const Box box{20, 14, 16, 16};
  const auto track = [&](const std::string& f1, const std::string& f2) {
    const Image a = load_image(f1), b = load_image(f2);
    Tracker t(zoo());
    t.init(a, box);
    return t.update(b);
  };
  const auto same = [](const TrackResult& x, const TrackResult& y) {
    CHECK(x.box == y.box);
    CHECK(x.score == y.score);
    CHECK(x.found == y.found);
  };
  const auto file = [&](const std::string& name, const Image& img, int type, int depth, int channels, bool alpha) {
    return test::write_file(dir + "/" + name,
                            test::make_png(w, h, type, depth, samples(img, channels, alpha, depth == 16 ? 257 : 1)));
  };
  const TrackResult rgb = track(file("c1.png", colour, 2, 8, 3, false), file("c2.png", colour2, 2, 8, 3, false));
  const TrackResult rgb_of_gray = track(file("g1rgb.png", gray, 2, 8, 3, false), file("g2rgb.png", gray2, 2, 8, 3, false));
  SUBCASE("8-bit gray") {
    same(track(file("g1.png", gray, 0, 8, 1, false), file("g2.png", gray2, 0, 8, 1, false)), rgb_of_gray);
  }
  SUBCASE("gray + alpha") {
    same(track(file("ga1.png", gray, 4, 8, 1, true), file("ga2.png", gray2, 4, 8, 1, true)), rgb_of_gray);
  }
  SUBCASE("RGBA: alpha dropped, not composited") {
    same(track(file("a1.png", colour, 6, 8, 3, true), file("a2.png", colour2, 6, 8, 3, true)), rgb);
  }
  SUBCASE("16-bit RGB: high byte kept") {
    same(track(file("d1.png", colour, 2, 16, 3, false), file("d2.png", colour2, 2, 16, 3, false)), rgb);
  }
  SUBCASE("CMYK JPEG: stb's conversion R = C*K/255") {
    // 8x6 blocks of 8x8 pixels, each flat: a coarse version of the scene.
    const auto cmyk_of = [&](const Image& img) {
      std::vector<std::array<std::uint8_t, 4>> blocks;
      for (int by = 0; by < h / 8; ++by)
        for (int bx = 0; bx < w / 8; ++bx) {
          const auto at = static_cast<std::size_t>(3 * ((8 * by + 3) * w + 8 * bx + 3));
          blocks.push_back({img.rgb[at], img.rgb[at + 1], img.rgb[at + 2], static_cast<std::uint8_t>(200 + bx)});
        }
      return blocks;
    };
    const auto rgb_of = [&](const std::vector<std::array<std::uint8_t, 4>>& blocks) {
      Image img{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(3 * w * h))};
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          for (std::size_t c = 0; c < 3; ++c) {
            const auto& b = blocks[static_cast<std::size_t>((y / 8) * (w / 8) + x / 8)];
            img.rgb[static_cast<std::size_t>(3 * (y * w + x)) + c] = test::stb_blinn(b[c], b[3]);
          }
      return img;
    };
    const auto k1 = cmyk_of(colour), k2 = cmyk_of(colour2);
    const std::string j1 = test::write_file(dir + "/k1.jpg", test::make_cmyk_jpeg(w / 8, h / 8, k1));
    const std::string j2 = test::write_file(dir + "/k2.jpg", test::make_cmyk_jpeg(w / 8, h / 8, k2));
    const Image expect1 = rgb_of(k1);
    CHECK(load_image(j1).rgb == expect1.rgb);
    const std::string p1 = file("k1.png", expect1, 2, 8, 3, false), p2 = file("k2.png", rgb_of(k2), 2, 8, 3, false);
    same(track(j1, j2), track(p1, p2));
  }
}

TEST_CASE("tracker: malformed frames and options are errors, not NaN boxes") {
  Tracker t(zoo());
  const Image ok = scene(32, 32, 8, 8);
  CHECK(test::error_of([&] { t.init(Image{}, Box{0, 0, 4, 4}); }) ==
        "Tracker::init: frame is empty: got 0x0, expected at least 1x1");
  CHECK(test::error_of([&] { t.init(Image{4, 4, std::vector<std::uint8_t>(47)}, Box{0, 0, 4, 4}); }) ==
        "Tracker::init: frame 4x4 has the wrong number of samples: got 47, expected 48");
  t.init(ok, Box{8, 8, 16, 16});
  CHECK(test::error_of([&] { t.update(Image{4, 4, std::vector<std::uint8_t>(47)}); }) ==
        "Tracker::update: frame 4x4 has the wrong number of samples: got 47, expected 48");
  CHECK(test::error_of([&] { Tracker(zoo(), TrackerOptions{TrackerMode::opencv, std::nanf("")}); }) ==
        "Tracker: score threshold: got nan, expected a finite number");
  CHECK(test::error_of([&] { Tracker(zoo(), TrackerOptions{TrackerMode::opencv, 0.2f, 0.f, 2.0, 0.0}); }) ==
        "Tracker: crop factor: got 0.000000, expected a positive finite number");
  CHECK(test::error_of([&] { Tracker(nullptr); }) == "Tracker: model: got nullptr, expected a loaded model");
  // A failed init leaves a working tracker untouched.
  const Box before = t.box();
  CHECK(test::error_of([&] { t.init(ok, Box{100, 100, 4, 4}); }).find("wholly outside") != std::string::npos);
  CHECK(t.initialized());
  CHECK(t.box() == before);
}

TEST_CASE("tracker: the score threshold decides found, and below it the box stays") {
  const Image f1 = load_image(frame_path("otb_Crossing", 1)), f2 = load_image(frame_path("otb_Crossing", 2));
  Tracker never(zoo(), TrackerOptions{TrackerMode::opencv, 1.0f});  // windowed scores are < 1
  never.init(f1, Box{205, 151, 17, 50});
  const TrackResult r = never.update(f2);
  CHECK(!r.found);
  CHECK(r.box == Box{205, 151, 17, 50});
  CHECK(r.score == doctest::Approx(0.626493).epsilon(1e-5));  // the reference's score, reported anyway
  Tracker always(zoo(), TrackerOptions{TrackerMode::opencv, 0.0f});
  always.init(f1, Box{205, 151, 17, 50});
  CHECK(always.update(f2).found);
}

TEST_CASE("tracker: track_sequence runs a sequence on disk, frame 1 is the init box with score 1") {
  const Sequence seq = open_sequence(kShared + "/sequences/otb_Crossing");
  CHECK(seq.name == "otb_Crossing");
  CHECK(seq.frames.size() == 120);
  CHECK(seq.groundtruth.size() == 120);
  Tracker t(zoo());
  std::size_t calls = 0;
  const SequenceRun run = track_sequence(t, seq.frames, first_groundtruth_box(seq), 3,
                                         [&](std::size_t i, const Image& frame, const TrackResult&) {
                                           CHECK(i == calls++);
                                           CHECK(frame.width == 360);
                                         });
  CHECK(calls == 3);
  REQUIRE(run.results.size() == 3);
  CHECK(run.results[0].box == Box{205, 151, 17, 50});
  CHECK(run.results[0].score == 1.f);
  CHECK(run.results[1].box == Box{202, 151, 20, 48});
  CHECK(run.timing.updates == 2);
  // One time record per update; its steps add up to the tracker's totals.
  REQUIRE(run.update_times.size() == 2);
  double network_s = 0, update_s = 0;
  for (const UpdateTime& u : run.update_times) {
    CHECK(u.load_s > 0);
    CHECK(u.network_s > 0);
    CHECK(u.update_s >= u.preprocess_s + u.network_s + u.decode_s);
    network_s += u.network_s;
    update_s += u.update_s;
  }
  CHECK(network_s == doctest::Approx(run.timing.network_s).epsilon(1e-9));
  CHECK(update_s == doctest::Approx(run.update_s).epsilon(1e-9));

  const std::string dir = test::temp_dir("track-sequence");
  const std::string list = dir + "/frames.txt";
  test::write_file(list, {});
  CHECK(test::error_of([&] { open_frame_list(list); }) == list + ": no frames listed, expected one image path per line");
  const std::string text = "# two frames\n" + seq.frames[0] + "\n\n  " + seq.frames[1] + "  \n";
  test::write_file(list, std::vector<std::uint8_t>(text.begin(), text.end()));
  const Sequence listed = open_frame_list(list);
  CHECK(listed.frames == std::vector<std::string>{seq.frames[0], seq.frames[1]});
  CHECK(listed.groundtruth.empty());
  CHECK(test::error_of([&] { first_groundtruth_box(listed); }) ==
        dir + "/groundtruth.txt: no ground truth, so no init box (give one explicitly)");

  const std::string bad = dir + "/bad.txt";
  const std::string bad_text = seq.frames[0] + "\n" + dir + "/missing.jpg\n";
  test::write_file(bad, std::vector<std::uint8_t>(bad_text.begin(), bad_text.end()));
  CHECK(test::error_of([&] { track_sequence(t, open_frame_list(bad).frames, BoxF{205, 151, 17, 50}); })
            .starts_with("frame 2: load_image: cannot open '" + dir + "/missing.jpg'"));
}

TEST_CASE("tracker: list_sequences finds the six shared sequences, sorted") {
  CHECK(list_sequences(kShared + "/sequences") ==
        std::vector<std::string>{"otb_Couple", "otb_Crossing", "otb_Football1", "otb_Girl",
                                 "uav123_10fps_wakeboard7", "vot2015_bag"});
  CHECK(test::error_of([] { list_sequences("/nonexistent-et"); }) ==
        "/nonexistent-et: not a folder (expected one sub-folder per sequence)");
}

}  // namespace et
