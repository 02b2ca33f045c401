// Image loading, crop/resize/normalise and center-head decode
// (tracker/image.h, tracker/preprocess.h, tracker/decode.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/image_files.h"
#include "tracker/decode.h"
#include "tracker/image.h"
#include "tracker/preprocess.h"
#include "weights/error.h"

#ifndef ET_TEST_SHARED_DIR
#define ET_TEST_SHARED_DIR "../shared"
#endif

namespace {

using et::Box;
using et::ChannelOrder;
using et::CropWindow;
using et::EdgeMode;
using et::Image;

Image gray_image(int w, int h, std::vector<int> values) {
  REQUIRE(values.size() == static_cast<std::size_t>(w * h));
  Image img{w, h, {}};
  for (int v : values)
    for (int c = 0; c < 3; ++c) img.rgb.push_back(static_cast<std::uint8_t>(v));
  return img;
}

Image filled_image(int w, int h, std::uint8_t value) {
  return Image{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(3 * w * h), value)};
}

std::vector<int> gray_of(const Image& img) {
  std::vector<int> g;
  for (std::size_t i = 0; i < img.rgb.size(); i += 3) g.push_back(img.rgb[i]);
  return g;
}

std::uint8_t pixel(const Image& img, int x, int y, int c) {
  return img.rgb[static_cast<std::size_t>(3 * (y * img.width + x) + c)];
}

// "" when equal, else where the first difference is.
std::string first_difference(const std::vector<std::uint8_t>& got, const std::vector<std::uint8_t>& want,
                             int width) {
  if (got.size() != want.size())
    return "sizes differ: " + std::to_string(got.size()) + " vs " + std::to_string(want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    if (got[i] != want[i]) {
      const std::size_t px = i / 3;
      return "first difference at y=" + std::to_string(px / static_cast<std::size_t>(width)) +
             " x=" + std::to_string(px % static_cast<std::size_t>(width)) + " c=" + std::to_string(i % 3) +
             ": got " + std::to_string(got[i]) + ", want " + std::to_string(want[i]);
    }
  return "";
}

std::string first_difference(const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size()) return "sizes differ";
  for (std::size_t i = 0; i < got.size(); ++i)
    if (std::memcmp(&got[i], &want[i], sizeof(float)) != 0) {
      std::ostringstream os;
      os.precision(9);
      os << "first difference at float " << i << ": got " << got[i] << ", want " << want[i];
      return os.str();
    }
  return "";
}

// ---- tiny image-file writers, so the loader tests need no fixtures --------

using et::test::make_png;  // tests/image_files.h

// 24-bit uncompressed BMP of an RGB image (bottom-up rows, BGR, 4-byte row padding).
std::vector<std::uint8_t> make_bmp(const Image& img) {
  const int row_bytes = (3 * img.width + 3) / 4 * 4;
  const auto data_size = static_cast<std::uint32_t>(row_bytes * img.height);
  std::vector<std::uint8_t> bmp = {'B', 'M'};
  const auto le32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) bmp.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  const auto le16 = [&](std::uint16_t v) {
    bmp.push_back(static_cast<std::uint8_t>(v & 0xFF));
    bmp.push_back(static_cast<std::uint8_t>(v >> 8));
  };
  le32(54 + data_size), le32(0), le32(54);
  le32(40), le32(static_cast<std::uint32_t>(img.width)), le32(static_cast<std::uint32_t>(img.height));
  le16(1), le16(24), le32(0), le32(data_size), le32(2835), le32(2835), le32(0), le32(0);
  for (int y = img.height - 1; y >= 0; --y) {
    for (int x = 0; x < img.width; ++x)
      for (int c = 2; c >= 0; --c) bmp.push_back(pixel(img, x, y, c));
    for (int p = 3 * img.width; p < row_bytes; ++p) bmp.push_back(0);
  }
  return bmp;
}

// A fresh directory under the system temp dir, removed with its contents.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() /
           ("et_test_preprocess_" + std::to_string(rd()) + "_" + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::vector<std::uint8_t>& bytes) const {
    const std::string file = (path / name).string();
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return file;
  }
};

std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const et::Error& e) {
    return e.what();
  }
  return "(no et::Error thrown)";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

// ============================ image ========================================

TEST_CASE("image: PNG gray, gray+alpha, RGB, RGBA and 16-bit all load as 8-bit RGB") {
  TempDir dir;
  // 2x1 images; expected RGB of the two pixels follows each file.
  SUBCASE("gray 8-bit: the value goes to R, G and B") {
    const Image img = et::load_image(dir.write("g.png", make_png(2, 1, 0, 8, {7, 250})));
    CHECK(img.width == 2);
    CHECK(img.height == 1);
    CHECK(img.rgb == std::vector<std::uint8_t>{7, 7, 7, 250, 250, 250});
  }
  SUBCASE("gray+alpha: alpha dropped, gray kept even where alpha is 0") {
    const Image img = et::load_image(dir.write("ga.png", make_png(2, 1, 4, 8, {90, 0, 200, 255})));
    CHECK(img.rgb == std::vector<std::uint8_t>{90, 90, 90, 200, 200, 200});
  }
  SUBCASE("RGB 8-bit") {
    const Image img = et::load_image(dir.write("rgb.png", make_png(2, 1, 2, 8, {1, 2, 3, 250, 251, 252})));
    CHECK(img.rgb == std::vector<std::uint8_t>{1, 2, 3, 250, 251, 252});
  }
  SUBCASE("RGBA: alpha dropped, colour not composited") {
    const Image img =
        et::load_image(dir.write("rgba.png", make_png(2, 1, 6, 8, {10, 20, 30, 0, 40, 50, 60, 128})));
    CHECK(img.rgb == std::vector<std::uint8_t>{10, 20, 30, 40, 50, 60});
  }
  SUBCASE("RGB 16-bit: high byte kept") {
    const Image img = et::load_image(
        dir.write("rgb16.png", make_png(2, 1, 2, 16, {0xFFFF, 0x80FF, 0x00FF, 0x1234, 0x0100, 0xFF00})));
    CHECK(img.rgb == std::vector<std::uint8_t>{255, 128, 0, 0x12, 1, 255});
  }
  SUBCASE("gray+alpha 16-bit") {
    const Image img =
        et::load_image(dir.write("ga16.png", make_png(2, 1, 4, 16, {0xABCD, 0xFFFF, 0x0001, 0x0000})));
    CHECK(img.rgb == std::vector<std::uint8_t>{0xAB, 0xAB, 0xAB, 0, 0, 0});
  }
}

TEST_CASE("image: BMP rows come back top-down in RGB order") {
  TempDir dir;
  Image src{3, 2, {}};  // odd width exercises the 4-byte row padding
  for (int i = 0; i < 18; ++i) src.rgb.push_back(static_cast<std::uint8_t>(i * 13 + 5));
  const Image img = et::load_image(dir.write("a.bmp", make_bmp(src)));
  CHECK(img.width == 3);
  CHECK(img.height == 2);
  CHECK(img.rgb == src.rgb);
}

TEST_CASE("image: missing, empty, garbage, truncated and oversized files are clear errors") {
  TempDir dir;
  const std::string missing = (dir.path / "no_such.png").string();
  std::string msg = error_message([&] { et::load_image(missing); });
  CHECK(contains(msg, "cannot open"));
  CHECK(contains(msg, missing));

  const std::string empty = dir.write("empty.jpg", {});
  msg = error_message([&] { et::load_image(empty); });
  CHECK(contains(msg, "cannot decode"));
  CHECK(contains(msg, empty));

  const std::string garbage = dir.write("garbage.jpg", std::vector<std::uint8_t>(100, 0x5A));
  msg = error_message([&] { et::load_image(garbage); });
  CHECK(contains(msg, "cannot decode"));
  CHECK(contains(msg, garbage));
  CHECK(msg.size() > msg.find("): ") + 3);  // stb's reason follows

  std::vector<std::uint8_t> png = make_png(4, 4, 2, 8, std::vector<std::uint16_t>(48, 9));
  REQUIRE(png.size() > 30);
  png.erase(png.end() - 30, png.end());  // cut into IDAT
  const std::string truncated = dir.write("truncated.png", png);
  msg = error_message([&] { et::load_image(truncated); });
  CHECK(contains(msg, "cannot decode"));

  // A header claiming 20000x1: rejected from the header, before decoding.
  std::vector<std::uint8_t> big = make_png(1, 1, 0, 8, {0});
  big[16] = 0, big[17] = 0, big[18] = 0x4E, big[19] = 0x20;  // IHDR width = 20000
  const std::string oversized = dir.write("big.png", big);
  msg = error_message([&] { et::load_image(oversized); });
  CHECK(contains(msg, "got 20000x1"));
  CHECK(contains(msg, "at most 16384 per side"));
}

// ============================ preprocess ===================================

TEST_CASE("preprocess: crop_window follows OpenCV's integer arithmetic") {
  // size = ceil(sqrt(30*40)*2) = ceil(69.28) = 70; x1 = 10 + (30-70)/2 = -10; y1 = 20 + (-30)/2 = 5
  CHECK(et::crop_window({10, 20, 30, 40}, 2.0) == CropWindow{-10, 5, 70});
  // (5 - 20)/2 truncates toward zero to -7 (floor would give -8)
  CHECK(et::crop_window({10, 10, 5, 5}, 4.0) == CropWindow{3, 3, 20});
  // 1x1 box: size 2, (1 - 2)/2 == 0
  CHECK(et::crop_window({0, 0, 1, 1}, 2.0) == CropWindow{0, 0, 2});
  // exact products are not bumped up: sqrt(256)*4 = 64
  CHECK(et::crop_window({0, 0, 16, 16}, 4.0).size == 64);
  // non-integer factor: ceil(sqrt(21)*2.5) = ceil(11.46) = 12; (7-12)/2 = -2, (3-12)/2 = -4
  CHECK(et::crop_window({100, 50, 7, 3}, 2.5) == CropWindow{98, 46, 12});
  // very small box and factor still give a 1-pixel crop
  CHECK(et::crop_window({5, 5, 1, 1}, 0.1) == CropWindow{5, 5, 1});
  // otb_Girl frame 1 ground truth, template and search crops
  CHECK(et::crop_window({57, 21, 31, 45}, 2.0) == CropWindow{35, 6, 75});
  CHECK(et::crop_window({57, 21, 31, 45}, 4.0) == CropWindow{-2, -31, 150});
}

TEST_CASE("preprocess: crop_window rejects empty boxes, bad factors and int overflow") {
  std::string msg = error_message([] { et::crop_window({0, 0, 0, 5}, 2.0); });
  CHECK(contains(msg, "got w=0, h=5"));
  msg = error_message([] { et::crop_window({0, 0, 5, -1}, 2.0); });
  CHECK(contains(msg, "h=-1"));
  CHECK(contains(error_message([] { et::crop_window({0, 0, 5, 5}, 0.0); }), "factor"));
  CHECK(contains(error_message([] { et::crop_window({0, 0, 5, 5}, std::nan("")); }), "factor"));
  CHECK(contains(error_message([] { et::crop_window({0, 0, 5, 5}, INFINITY); }), "factor"));
  CHECK(contains(error_message([] { et::crop_window({2147483000, 0, 1000, 1000}, 4.0); }), "int"));
  CHECK(contains(error_message([] { et::crop_window({0, 0, 2147483647, 2147483647}, 4.0); }), "int"));
}

TEST_CASE("preprocess: resize_linear_u8 on hand-computed cases") {
  SUBCASE("same size is a copy") {
    Image src{3, 3, {}};
    for (int i = 0; i < 27; ++i) src.rgb.push_back(static_cast<std::uint8_t>(i * 9));
    CHECK(et::resize_linear_u8(src, 3).rgb == src.rgb);
  }
  SUBCASE("exact 2x downscale is OpenCV's area average (a+b+c+d+2)>>2") {
    const Image src = gray_image(4, 4, {1, 2, 0, 0,  //
                                        3, 4, 0, 1,  //
                                        10, 20, 255, 255, //
                                        30, 41, 255, 254});
    // (10+2)>>2 = 3, (1+2)>>2 = 0, (101+2)>>2 = 25, (1019+2)>>2 = 255
    CHECK(gray_of(et::resize_linear_u8(src, 2)) == std::vector<int>{3, 0, 25, 255});
  }
  SUBCASE("2x2 -> 4x4 upscale") {
    // Coordinates d=0..3 map to (s, f) = (-1, .75) (0, .25) (0, .75) (1, .25).
    // x clamps the ends to weights (2048, 0); y keeps (512, 1536) on row 0
    // twice, so e.g. out(1,1) = (75 + 213 + 2) >> 2 = 72 from
    // T0 = 0*1536 + 100*512, T1 = 200*1536 + 255*512.
    const Image src = gray_image(2, 2, {0, 100, 200, 255});
    CHECK(gray_of(et::resize_linear_u8(src, 4)) ==
          std::vector<int>{0, 25, 75, 100, 50, 72, 117, 139, 150, 167, 200, 216, 200, 214, 241, 255});
  }
  SUBCASE("2x2 -> 3x3: the fixed-point truncation shows") {
    // Rows 0 and 2 use y weights (341, 1707) on one clamped row:
    // (16320*341 >> 16) + (16320*1707 >> 16) = 84 + 425 -> (509+2) >> 2 = 127,
    // while the middle row's (1024, 1024) gives 128. A float bilinear
    // resize would make all three 127.5.
    const Image src = gray_image(2, 2, {0, 255, 0, 255});
    CHECK(gray_of(et::resize_linear_u8(src, 3)) == std::vector<int>{0, 127, 255, 0, 128, 255, 0, 127, 255});
  }
  SUBCASE("3x3 -> 5x5 and 3x3 -> 2x2, non-integer scales") {
    const Image src = gray_image(3, 3, {10, 20, 30, 40, 50, 60, 70, 80, 90});
    CHECK(gray_of(et::resize_linear_u8(src, 5)) ==
          std::vector<int>{10, 14, 20, 26, 30, 22, 26, 32, 38, 42, 40, 44, 50, 56, 60,
                           58, 62, 68, 74, 78, 70, 74, 80, 86, 90});
    CHECK(gray_of(et::resize_linear_u8(src, 2)) == std::vector<int>{20, 35, 65, 80});
  }
  SUBCASE("channels are resized independently") {
    Image src{2, 1, {0, 255, 9, 255, 0, 9}};
    const Image out = et::resize_linear_u8(src, 1);  // 2x1 -> 1x1: x (1024,1024), y from row 0 only
    CHECK(out.rgb == std::vector<std::uint8_t>{128, 128, 9});
  }
}

TEST_CASE("preprocess: resize_linear_u8 matches OpenCV's cv::resize on template/search sizes") {
  // FNV-1a 64 of cv2.resize(img, (n, n), interpolation=INTER_LINEAR) from
  // OpenCV 4.6 (Debian python3-opencv), for the s x s RGB image with flat
  // sample i = ((i*7919) ^ (i >> 3)) & 255.
  struct Case {
    int src, out;
    std::uint64_t fnv;
  };
  const Case cases[] = {{150, 256, 0xd9477a9bec36a46full}, {75, 128, 0xf817a45403954fc6ull},
                        {333, 256, 0x02f9207bdcd37865ull}, {512, 256, 0xa512c79c81102325ull},
                        {100, 256, 0xa7ee628038ac17d6ull}, {257, 128, 0xef3479fe8be5ea8eull},
                        {1000, 256, 0x4f4b31c2127eef77ull}};
  for (const Case& c : cases) {
    CAPTURE(c.src);
    CAPTURE(c.out);
    Image src{c.src, c.src, std::vector<std::uint8_t>(static_cast<std::size_t>(3 * c.src * c.src))};
    for (std::size_t i = 0; i < src.rgb.size(); ++i) src.rgb[i] = static_cast<std::uint8_t>((i * 7919) ^ (i >> 3));
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (std::uint8_t v : et::resize_linear_u8(src, c.out).rgb) hash = (hash ^ v) * 0x100000001b3ull;
    CHECK(hash == c.fnv);
  }
}

TEST_CASE("preprocess: opencv edge mode blanks the last column and row the crop reaches") {
  const Image frame = filled_image(6, 5, 200);
  const auto crop_gray = [&](CropWindow win, EdgeMode mode) { return gray_of(et::crop_padded(frame, win, mode)); };

  // x2 = 2+4 = 6 = cols, y2 = 1+4 = 5 = rows: OpenCV's pad max(x2 - cols + 1, 0) = 1
  // blanks frame column 5 (crop column 3) and frame row 4 (crop row 3).
  const CropWindow touching{2, 1, 4};
  CHECK(crop_gray(touching, EdgeMode::opencv) == std::vector<int>{200, 200, 200, 0,  //
                                                                  200, 200, 200, 0,  //
                                                                  200, 200, 200, 0,  //
                                                                  0, 0, 0, 0});
  CHECK(crop_gray(touching, EdgeMode::correct) == std::vector<int>(16, 200));

  // One pixel short of both edges: nothing is blanked.
  CHECK(crop_gray({1, 0, 4}, EdgeMode::opencv) == std::vector<int>(16, 200));

  // Past the right edge: frame columns 4 and 5 are in the crop; 5 is blanked,
  // crop columns 2-3 are outside the frame.
  CHECK(crop_gray({4, 0, 4}, EdgeMode::opencv) == std::vector<int>{200, 0, 0, 0, 200, 0, 0, 0,  //
                                                                   200, 0, 0, 0, 200, 0, 0, 0});
  CHECK(crop_gray({4, 0, 4}, EdgeMode::correct) == std::vector<int>{200, 200, 0, 0, 200, 200, 0, 0,  //
                                                                    200, 200, 0, 0, 200, 200, 0, 0});

  // Left/top padding is never off by one.
  CHECK(crop_gray({-1, -1, 3}, EdgeMode::opencv) == std::vector<int>{0, 0, 0, 0, 200, 200, 0, 200, 200});

  // The fused path sees the same blanked pixels (out_size == size is a copy).
  for (const CropWindow win : {touching, CropWindow{4, 0, 4}, CropWindow{-1, -1, 3}})
    for (const EdgeMode mode : {EdgeMode::opencv, EdgeMode::correct}) {
      std::vector<std::uint8_t> fused(static_cast<std::size_t>(3 * win.size * win.size));
      et::crop_resize_u8(frame, win, win.size, mode, fused.data());
      CHECK(fused == et::crop_padded(frame, win, mode).rgb);
    }
}

TEST_CASE("preprocess: windows off the frame and tiny frames give black, never a crash") {
  const Image frame = filled_image(5, 4, 77);
  for (const CropWindow win : {CropWindow{5, 0, 3}, CropWindow{-3, 0, 3}, CropWindow{0, 4, 2},
                               CropWindow{0, -9, 9}, CropWindow{100, 100, 50}})
    for (const EdgeMode mode : {EdgeMode::opencv, EdgeMode::correct}) {
      CAPTURE(win.x1);
      CAPTURE(win.y1);
      CHECK(gray_of(et::crop_padded(frame, win, mode)) == std::vector<int>(static_cast<std::size_t>(win.size * win.size), 0));
      std::vector<std::uint8_t> fused(3 * 8 * 8, 1);
      et::crop_resize_u8(frame, win, 8, mode, fused.data());
      CHECK(fused == std::vector<std::uint8_t>(3 * 8 * 8, 0));
    }
  // A 1x1 frame: correct mode sees its pixel, opencv mode blanks it (the crop
  // always reaches the last column).
  const Image one = filled_image(1, 1, 99);
  std::vector<std::uint8_t> out(3 * 4 * 4);
  et::crop_resize_u8(one, {0, 0, 1}, 4, EdgeMode::correct, out.data());
  CHECK(out == std::vector<std::uint8_t>(3 * 4 * 4, 99));
  et::crop_resize_u8(one, {0, 0, 1}, 4, EdgeMode::opencv, out.data());
  CHECK(out == std::vector<std::uint8_t>(3 * 4 * 4, 0));
}

TEST_CASE("preprocess: normalisation constants and channel order") {
  // (p/255 - mean)/std with ImageNet RGB constants, plane by plane.
  CHECK(et::normalize_sample(0, 0) == doctest::Approx(-0.485 / 0.229).epsilon(1e-6));
  CHECK(et::normalize_sample(255, 2) == doctest::Approx((1 - 0.406) / 0.225).epsilon(1e-6));
  CHECK(et::normalize_sample(128, 1) == doctest::Approx((128 / 255.0 - 0.456) / 0.224).epsilon(1e-6));
  CHECK(et::normalize_sample(128, 1) == (128.f / 255.f - 0.456f) / 0.224f);  // float32 arithmetic
  CHECK_THROWS_AS(et::normalize_sample(0, 3), et::Error);

  // One pixel (R, G, B) = (255, 100, 0), 1x1 crop resized to 1x1.
  const Image frame{1, 1, {255, 100, 0}};
  float rgb[3], bgr[3];
  et::crop_resize_normalize(frame, {0, 0, 1}, 1, EdgeMode::correct, ChannelOrder::rgb, rgb);
  et::crop_resize_normalize(frame, {0, 0, 1}, 1, EdgeMode::correct, ChannelOrder::bgr, bgr);
  CHECK(rgb[0] == et::normalize_sample(255, 0));
  CHECK(rgb[1] == et::normalize_sample(100, 1));
  CHECK(rgb[2] == et::normalize_sample(0, 2));
  // bgr: plane 0 holds B but uses mean[0] = 0.485 (OpenCV's quirk)
  CHECK(bgr[0] == et::normalize_sample(0, 0));
  CHECK(bgr[1] == et::normalize_sample(100, 1));
  CHECK(bgr[2] == et::normalize_sample(255, 2));

  std::vector<float> planes(3 * 1 * 2);
  et::normalize_chw(Image{2, 1, {1, 2, 3, 4, 5, 6}}, ChannelOrder::bgr, planes.data());
  CHECK(planes == std::vector<float>{et::normalize_sample(3, 0), et::normalize_sample(6, 0),
                                     et::normalize_sample(2, 1), et::normalize_sample(5, 1),
                                     et::normalize_sample(1, 2), et::normalize_sample(4, 2)});
}

TEST_CASE("preprocess: fused crop_resize equals crop_padded + resize_linear_u8 + normalize_chw") {
  // Random frames and windows; set ET_TEST_SEED to replay a failure.
  std::uint64_t seed = 20240611;
  if (const char* s = std::getenv("ET_TEST_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::mt19937_64 rng(seed);
  const auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

  et::PreprocessScratch scratch;  // shared across iterations: reuse must not leak state
  const int out_sizes[] = {1, 2, 3, 5, 16, 17, 64, 128, 256};
  for (int iter = 0; iter < 300; ++iter) {
    int fw = 0, fh = 0;
    switch (uniform(0, 4)) {
      case 0: fw = fh = 1; break;
      case 1: fw = uniform(1, 3), fh = uniform(1, 3); break;
      case 2: fw = uniform(1, 40), fh = uniform(1, 40); break;
      default: fw = uniform(20, 320), fh = uniform(20, 240); break;
    }
    Image frame{fw, fh, std::vector<std::uint8_t>(static_cast<std::size_t>(3 * fw * fh))};
    const bool constant = uniform(0, 3) == 0;  // makes blanked pixels stand out
    for (auto& v : frame.rgb) v = constant ? 255 : static_cast<std::uint8_t>(uniform(0, 255));

    const int n = out_sizes[uniform(0, 8)];
    int size = 0;
    switch (uniform(0, 5)) {
      case 0: size = n; break;                       // identity scale
      case 1: size = 2 * n; break;                   // OpenCV's area path
      case 2: size = std::max(1, 2 * n + uniform(-1, 1)); break;
      case 3: size = uniform(1, std::max(1, n - 1)); break;  // upscale
      default: size = uniform(1, 700); break;        // arbitrary scale, often larger than the frame
    }
    const auto place = [&](int frame_extent) {
      switch (uniform(0, 6)) {
        case 0: return frame_extent - size;      // touches the right/bottom edge
        case 1: return frame_extent - size - 1;  // one short of it
        case 2: return frame_extent - size + 1;  // one past it
        case 3: return uniform(-size - 5, -size + 1);  // (almost) wholly before the frame
        case 4: return frame_extent + uniform(-1, 5);  // (almost) wholly after the frame
        default: return uniform(-size, frame_extent);
      }
    };
    const CropWindow win{place(fw), place(fh), size};

    for (const EdgeMode mode : {EdgeMode::opencv, EdgeMode::correct}) {
      INFO("seed=" << seed << " iter=" << iter << " frame=" << fw << "x" << fh << " win=(" << win.x1 << ","
                   << win.y1 << "," << win.size << ") out=" << n
                   << " mode=" << std::string(mode == EdgeMode::opencv ? "opencv" : "correct"));
      const Image want = et::resize_linear_u8(et::crop_padded(frame, win, mode), n);
      std::vector<std::uint8_t> got(static_cast<std::size_t>(3 * n * n));
      et::crop_resize_u8(frame, win, n, mode, got.data(), scratch);
      const std::string diff = first_difference(got, want.rgb, n);
      CHECK_MESSAGE(diff.empty(), diff);

      for (const ChannelOrder order : {ChannelOrder::bgr, ChannelOrder::rgb}) {
        std::vector<float> want_chw(static_cast<std::size_t>(3 * n * n)), got_chw(want_chw.size());
        et::normalize_chw(want, order, want_chw.data());
        et::crop_resize_normalize(frame, win, n, mode, order, got_chw.data(), scratch);
        const std::string fdiff = first_difference(got_chw, want_chw);
        CHECK_MESSAGE(fdiff.empty(), std::string(order == ChannelOrder::bgr ? "bgr: " : "rgb: ") << fdiff);
      }
    }
  }
}

TEST_CASE("preprocess: a reused scratch stops allocating") {
  const Image frame = filled_image(300, 200, 40);
  et::PreprocessScratch scratch;
  std::vector<float> out(3 * 256 * 256);
  et::crop_resize_normalize(frame, {-20, 10, 333}, 256, EdgeMode::opencv, ChannelOrder::bgr, out.data(), scratch);
  const void* before[] = {scratch.x_offset0.data(), scratch.x_weight1.data(), scratch.row0.data(),
                          scratch.row1.data(), scratch.out_row.data()};
  et::crop_resize_normalize(frame, {50, 60, 90}, 256, EdgeMode::opencv, ChannelOrder::bgr, out.data(), scratch);
  et::crop_resize_normalize(frame, {0, 0, 10}, 128, EdgeMode::correct, ChannelOrder::rgb, out.data(), scratch);
  const void* after[] = {scratch.x_offset0.data(), scratch.x_weight1.data(), scratch.row0.data(),
                         scratch.row1.data(), scratch.out_row.data()};
  for (int i = 0; i < 5; ++i) CHECK(before[i] == after[i]);
}

TEST_CASE("preprocess: bad images, sizes and buffers are clear errors") {
  const Image ok = filled_image(4, 4, 1);
  const Image short_rgb{4, 4, std::vector<std::uint8_t>(47)};
  std::vector<float> out(3 * 8 * 8);
  std::string msg = error_message(
      [&] { et::crop_resize_normalize(short_rgb, {0, 0, 4}, 8, EdgeMode::opencv, ChannelOrder::bgr, out.data()); });
  CHECK(contains(msg, "got 47, expected 3*4*4 = 48"));
  CHECK(contains(error_message([&] { et::crop_padded(Image{}, {0, 0, 4}, EdgeMode::opencv); }), "got 0x0"));
  CHECK(contains(error_message([&] { et::resize_linear_u8(ok, 0); }), "out_size: got 0"));
  CHECK(contains(error_message([&] {
                   et::crop_resize_normalize(ok, {0, 0, 0}, 8, EdgeMode::opencv, ChannelOrder::bgr, out.data());
                 }),
                 "size=0"));
  CHECK(contains(error_message([&] {
                   et::crop_resize_normalize(ok, {0, 0, 4}, 8, EdgeMode::opencv, ChannelOrder::bgr, nullptr);
                 }),
                 "nullptr"));
  CHECK(contains(error_message([&] { et::crop_resize_u8(ok, {2147483647, 0, 4}, 8, EdgeMode::opencv, nullptr); }),
                 "crop window"));
}

TEST_CASE("preprocess: template and search crops of a real frame (otb_Girl frame 1)") {
  const std::string path = std::string(ET_TEST_SHARED_DIR) + "/sequences/otb_Girl/img/00000001.jpg";
  INFO("frame: " << path);
  const Image frame = et::load_image(path);
  REQUIRE(frame.width == 128);
  REQUIRE(frame.height == 96);

  const Box gt{57, 21, 31, 45};  // groundtruth.txt, first row
  const auto check_blob = [&](CropWindow win, int n) {
    std::vector<float> blob(static_cast<std::size_t>(3 * n * n));
    et::crop_resize_normalize(frame, win, n, EdgeMode::opencv, ChannelOrder::bgr, blob.data());
    const auto plane = static_cast<std::size_t>(n * n);
    for (int c = 0; c < 3; ++c) {
      CAPTURE(c);
      const auto first = blob.begin() + static_cast<std::ptrdiff_t>(c * n * n);
      const auto last = first + static_cast<std::ptrdiff_t>(plane);
      CHECK(std::all_of(first, last, [](float v) { return std::isfinite(v); }));
      const auto [lo, hi] = std::minmax_element(first, last);
      CHECK(*lo >= et::normalize_sample(0, c));
      CHECK(*hi <= et::normalize_sample(255, c));
      CHECK(*hi - *lo > 1.0f);  // real image content, not a constant
    }
    std::vector<float> reference(blob.size());
    et::normalize_chw(et::resize_linear_u8(et::crop_padded(frame, win, EdgeMode::opencv), n), ChannelOrder::bgr,
                      reference.data());
    CHECK(first_difference(blob, reference).empty());
    return blob;
  };

  const CropWindow templ = et::crop_window(gt, 2.0);  // 75x75 at (35, 6), inside the frame
  CHECK(templ == CropWindow{35, 6, 75});
  check_blob(templ, 128);

  // The 150x150 search crop at (-2, -31) reaches past the right and bottom
  // edges, so opencv mode must differ from the correct mode.
  const CropWindow search = et::crop_window(gt, 4.0);
  const std::vector<float> blob = check_blob(search, 256);
  std::vector<float> correct(blob.size());
  et::crop_resize_normalize(frame, search, 256, EdgeMode::correct, ChannelOrder::bgr, correct.data());
  CHECK(blob != correct);
}

// ============================ decode =======================================

namespace {

struct Maps {
  std::vector<float> score = std::vector<float>(256, 0.f);
  std::vector<float> size = std::vector<float>(512, 0.f);
  std::vector<float> offset = std::vector<float>(512, 0.f);
  void set(int iy, int ix, float s, float w, float h, float off_x, float off_y) {
    const auto k = static_cast<std::size_t>(16 * iy + ix);
    score[k] = s, size[k] = w, size[256 + k] = h, offset[k] = off_x, offset[256 + k] = off_y;
  }
  et::DecodeResult decode(const Box& last, CropWindow search, float threshold = 0.20f) const {
    return et::decode_center(score, size, offset, last, search, threshold);
  }
};

}  // namespace

TEST_CASE("decode: the Hann window is OpenCV's float32 one") {
  const auto& h = et::hann_16();
  const auto& w = et::hann_window_16();
  for (int i = 0; i < 16; ++i) {
    CAPTURE(i);
    CHECK(h[static_cast<std::size_t>(i)] ==
          doctest::Approx(0.5 * (1 - std::cos(2 * 3.141592653589793 * (i + 1) / 17))).epsilon(1e-6));
  }
  // cosf of float(2*pi/17)*(i+1): one ulp off the double formula at i = 2
  // and 13, so not symmetric. The double formula gives 0x1.1bc82ep-2 for both.
  CHECK(h[2] == 0x1.1bc83p-2f);
  CHECK(h[13] == 0x1.1bc82ep-2f);
  CHECK(h[7] == h[8]);
  for (std::size_t y = 0; y < 16; ++y)
    for (std::size_t x = 0; x < 16; ++x) CHECK(w[16 * y + x] == h[y] * h[x]);
}

TEST_CASE("decode: argmax cell, offsets and sizes map back to frame pixels") {
  // last box 40x40 at (100, 50): crop_sz = 160, x0 = 100 + (40-160)/2 = 40, y0 = -10.
  const Box last{100, 50, 40, 40};
  const CropWindow search = et::crop_window(last, 4.0);
  REQUIRE(search == CropWindow{40, -10, 160});
  Maps m;
  m.set(5, 9, 0.9f, 0.25f, 0.25f, 0.5f, 0.5f);
  m.set(12, 3, 0.3f, 0.5f, 0.5f, 0.f, 0.f);  // lower windowed score
  const et::DecodeResult r = m.decode(last, search);
  CHECK(r.found);
  CHECK(r.ix == 9);
  CHECK(r.iy == 5);
  CHECK(r.score == 0.9f * et::hann_window_16()[16 * 5 + 9]);
  // cx = 9.5/16 = 0.59375 -> (0.59375 - 0.125)*160 + 40 = 115; cy = 5.5/16 -> 35 - 10 = 25
  CHECK(r.box == Box{115, 25, 40, 40});
}

TEST_CASE("decode: the windowed peak and the values at its cell decode as the whole maps do") {
  // The tracker's path (the network computes size and offset at the peak only).
  const Box last{100, 50, 40, 40};
  const CropWindow search = et::crop_window(last, 4.0);
  Maps m;
  m.set(5, 9, 0.9f, 0.25f, 0.3f, 0.5f, -0.25f);
  m.set(0, 0, 0.95f, 0.5f, 0.5f, 0.f, 0.f);  // higher raw score, windowed down
  const et::CenterPeak peak = et::windowed_peak(m.score);
  CHECK(peak.cell == 16 * 5 + 9);
  CHECK(peak.score == 0.9f * et::hann_window_16()[16 * 5 + 9]);
  const et::DecodeResult whole = m.decode(last, search);
  const et::DecodeResult cell = et::decode_center_cell(peak, {0.25f, 0.3f, 0.5f, -0.25f}, last, search);
  CHECK(cell.box == whole.box);
  CHECK(cell.score == whole.score);
  CHECK(cell.found == whole.found);
  CHECK(cell.ix == 9);
  CHECK(cell.iy == 5);
  // Below the threshold: the previous box.
  const et::DecodeResult weak = et::decode_center_cell(peak, {0.25f, 0.3f, 0.5f, -0.25f}, last, search, 0.99f);
  CHECK(!weak.found);
  CHECK(weak.box == last);
  CHECK(contains(error_message([&] { et::decode_center_cell({256, 0.5f}, {}, last, search); }),
                 "peak cell: got 256, expected 0..255"));
  CHECK(contains(error_message([&] { et::decode_center_cell({-1, 0.5f}, {}, last, search); }),
                 "peak cell: got -1, expected 0..255"));
}

TEST_CASE("decode: floor, not truncation, for negative coordinates") {
  // cy - h/2 = 0.01 - 0.05 = -0.04; -0.04*160 - 10 = -16.4 -> -17
  Maps m;
  m.set(0, 8, 1.0f, 0.25f, 0.1f, 0.f, 0.16f);
  const et::DecodeResult r = m.decode({100, 50, 40, 40}, {40, -10, 160}, 0.f);
  CHECK(r.found);
  CHECK(r.box.y == -17);
  CHECK(r.box.h == 16);
}

TEST_CASE("decode: float32 arithmetic, as OpenCV, not double and not fused") {
  SUBCASE("width: w*crop rounds up to 7 in float (6.99999988 in double)") {
    Maps m;
    m.set(8, 8, 1.f, 0x1.666666p-5f, 0.25f, 0.f, 0.f);
    CHECK(m.decode({100, 50, 40, 40}, {40, -10, 160}).box.w == 7);
  }
  SUBCASE("x: (cx - w/2)*crop rounded before adding x0 (an FMA or double gives 1)") {
    // ix 7, off_x 0.6f, w 0.25, crop 100, x0 -33
    Maps m;
    m.set(8, 7, 1.f, 0.25f, 0.25f, 0x1.333334p-1f, 0.f);
    CHECK(m.decode({4, 4, 25, 25}, {-33, -33, 100}).box.x == 2);
  }
}

TEST_CASE("decode: threshold keeps the previous box below it") {
  Maps m;
  m.set(8, 8, 0.5f, 0.25f, 0.25f, 0.f, 0.f);
  const Box last{10, 20, 30, 40};
  const CropWindow search = et::crop_window(last, 4.0);
  const float windowed = 0.5f * et::hann_window_16()[16 * 8 + 8];

  const et::DecodeResult at = m.decode(last, search, windowed);  // score >= threshold
  CHECK(at.found);
  CHECK(at.box != last);

  const et::DecodeResult above = m.decode(last, search, std::nextafter(windowed, 1.f));
  CHECK_FALSE(above.found);
  CHECK(above.box == last);
  CHECK(above.score == windowed);
  CHECK(above.ix == 8);

  CHECK_FALSE(m.decode(last, search, 0.5f).found);
  CHECK(m.decode(last, search).found);  // default 0.20
}

TEST_CASE("decode: ties go to the first cell in row-major order and the window decides") {
  SUBCASE("equal windowed scores at (3,4) and (4,3): h[3]*h[4] == h[4]*h[3]") {
    Maps m;
    m.set(4, 3, 0.8f, 0.1f, 0.1f, 0.f, 0.f);
    m.set(3, 4, 0.8f, 0.1f, 0.1f, 0.f, 0.f);
    const et::DecodeResult r = m.decode({10, 10, 10, 10}, {-5, -5, 40}, 0.f);
    CHECK(r.iy == 3);
    CHECK(r.ix == 4);
  }
  SUBCASE("an all-zero map picks cell (0,0)") {
    const et::DecodeResult r = Maps{}.decode({10, 10, 10, 10}, {-5, -5, 40}, 0.f);
    CHECK(r.ix == 0);
    CHECK(r.iy == 0);
    CHECK(r.found);  // 0 >= 0
  }
  SUBCASE("a strong corner loses to a weaker centre once windowed") {
    Maps m;
    m.set(0, 0, 1.0f, 0.1f, 0.1f, 0.f, 0.f);
    m.set(8, 7, 0.5f, 0.1f, 0.1f, 0.f, 0.f);
    const et::DecodeResult r = m.decode({10, 10, 10, 10}, {-5, -5, 40});
    CHECK(r.iy == 8);
    CHECK(r.ix == 7);
  }
}

TEST_CASE("decode: malformed maps are errors, not NaN boxes") {
  Maps m;
  m.set(8, 8, 0.9f, 0.25f, 0.25f, 0.f, 0.f);
  const Box last{10, 10, 10, 10};
  const CropWindow search{-5, -5, 40};

  Maps nan_score = m;
  nan_score.score[3] = std::nanf("");
  CHECK(contains(error_message([&] { nan_score.decode(last, search); }), "score map at cell (0, 3)"));

  Maps nan_size = m;
  nan_size.size[16 * 8 + 8] = std::nanf("");
  CHECK(contains(error_message([&] { nan_size.decode(last, search); }), "box x"));

  Maps huge = m;
  huge.size[256 + 16 * 8 + 8] = 1e30f;
  CHECK(contains(error_message([&] { huge.decode(last, search); }), "within int"));

  const std::vector<float> short_map(255);
  CHECK(contains(error_message([&] { et::decode_center(short_map, m.size, m.offset, last, search); }),
                 "score map: got 255 floats, expected 256"));
  CHECK(contains(error_message([&] { et::decode_center(m.score, m.score, m.offset, last, search); }),
                 "size map: got 256 floats, expected 512"));
}
