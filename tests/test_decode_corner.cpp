// Corner-head decode (tracker/decode.h, decode_corner): corners as fractions
// of the search crop mapped back to frame pixels like the center head's box.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>

#include "tests/test_util.h"
#include "tracker/decode.h"

namespace et {

TEST_CASE("decode corner: fractions of the crop map back to frame pixels, floored") {
  const Box last{100, 100, 20, 20};
  const CropWindow search{70, 80, 80};  // crop_window of some box at factor 4
  const std::array<float, 4> c{0.25f, 0.5f, 0.75f, 0.8125f};
  const DecodeResult r = decode_corner(c, 0.3f, last, search);
  CHECK(r.found);
  CHECK(r.score == 0.3f);
  CHECK(r.box == Box{70 + 20, 80 + 40, 40, 25});  // x1*80 = 20, y1*80 = 40, (x2-x1)*80 = 40, (y2-y1)*80 = 25
  // Negative positions floor (not truncate); widths floor.
  const std::array<float, 4> off{-0.1f, 0.f, 0.2f, 0.33f};
  const DecodeResult n = decode_corner(off, 1.f, last, CropWindow{0, 0, 10});
  CHECK(n.box == Box{-1, 0, 3, 3});  // float(-0.1)*10 rounds to exactly -1; (0.2+0.1)*10 to 3
}

TEST_CASE("decode corner: the threshold keeps the previous box; bad values are errors") {
  const Box last{5, 6, 7, 8};
  const std::array<float, 4> c{0.125f, 0.125f, 0.875f, 0.875f};  // exact in binary
  DecodeResult r = decode_corner(c, 0.01f, last, CropWindow{0, 0, 100}, 0.05f);
  CHECK(!r.found);
  CHECK(r.box == last);
  CHECK(r.score == 0.01f);
  r = decode_corner(c, 0.01f, last, CropWindow{0, 0, 100});  // default threshold 0: always found
  CHECK(r.found);
  CHECK(r.box == Box{12, 12, 75, 75});  // floor(12.5), (0.875 - 0.125) * 100
  const std::array<float, 4> nan{0.1f, std::numeric_limits<float>::quiet_NaN(), 0.9f, 0.9f};
  CHECK(test::error_of([&] { decode_corner(nan, 1.f, last, CropWindow{0, 0, 100}); }) ==
        "decode_corner: corner y1: got nan, expected a finite fraction of the search crop");
  CHECK(test::error_of([&] { decode_corner(c, std::nanf(""), last, CropWindow{0, 0, 100}); }) ==
        "decode_corner: confidence: got nan, expected a finite value");
  CHECK(test::error_of([&] { decode_corner(c, 1.f, last, CropWindow{0, 0, 0}); }) ==
        "decode_corner: search window size: got 0, expected >= 1");
  const std::array<float, 4> huge{0.f, 0.f, 1e30f, 1.f};
  CHECK(test::error_of([&] { decode_corner(huge, 1.f, last, CropWindow{0, 0, 100}); })
            .starts_with("decode_corner: box w: got "));
}

}  // namespace et
