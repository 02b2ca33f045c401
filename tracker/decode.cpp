#include "tracker/decode.h"

#include <cmath>
#include <numbers>
#include <string>

#include "weights/error.h"

namespace et {
namespace {

// Rounds to float through a volatile so the compiler cannot fuse a product
// into the following add (FMA), which OpenCV's baseline build never does.
float rounded(float v) {
  volatile float r = v;
  return r;
}

void check_length(std::span<const float> map, std::size_t expected, const char* name) {
  if (map.size() != expected)
    throw Error(std::string("decode_center: ") + name + " map: got " + std::to_string(map.size()) +
                " floats, expected " + std::to_string(expected));
}

int floor_to_int(float v, const char* what, int ix, int iy) {
  const float f = std::floor(v);
  if (!(f >= -2147483648.f && f < 2147483648.f))
    throw Error(std::string("decode_center: box ") + what + " at cell (" + std::to_string(iy) + ", " +
                std::to_string(ix) + "): got " + std::to_string(v) + ", expected a finite value within int");
  return static_cast<int>(f);
}

int floor_to_int(float v, const char* what) {
  const float f = std::floor(v);
  if (!(f >= -2147483648.f && f < 2147483648.f))
    throw Error(std::string("decode_corner: box ") + what + ": got " + std::to_string(v) +
                ", expected a finite value within int");
  return static_cast<int>(f);
}

}  // namespace

const std::array<float, kScoreMapSide>& hann_16() {
  static const std::array<float, kScoreMapSide> h = [] {
    std::array<float, kScoreMapSide> v{};
    const auto step = static_cast<float>(2 * std::numbers::pi / (kScoreMapSide + 1));
    for (int i = 0; i < kScoreMapSide; ++i)
      v[static_cast<std::size_t>(i)] = 0.5f * (1.f - std::cos(step * static_cast<float>(i + 1)));
    return v;
  }();
  return h;
}

const std::array<float, kScoreMapCells>& hann_window_16() {
  static const std::array<float, kScoreMapCells> window = [] {
    const auto& h = hann_16();
    std::array<float, kScoreMapCells> w{};
    for (std::size_t y = 0; y < kScoreMapSide; ++y)
      for (std::size_t x = 0; x < kScoreMapSide; ++x) w[y * kScoreMapSide + x] = h[y] * h[x];
    return w;
  }();
  return window;
}

CenterPeak windowed_peak(std::span<const float> score) {
  check_length(score, kScoreMapCells, "score");
  const auto& window = hann_window_16();
  CenterPeak peak;
  for (std::size_t k = 0; k < kScoreMapCells; ++k) {
    if (!std::isfinite(score[k]))
      throw Error("decode_center: score map at cell (" + std::to_string(k / kScoreMapSide) + ", " +
                  std::to_string(k % kScoreMapSide) + "): got " + std::to_string(score[k]) +
                  ", expected a finite value");
    const float s = score[k] * window[k];
    if (k == 0 || s > peak.score) peak.cell = static_cast<int>(k), peak.score = s;  // strict >: first maximum wins
  }
  return peak;
}

DecodeResult decode_center_cell(const CenterPeak& peak, const CenterCellValues& values, const Box& last,
                                CropWindow search, float threshold) {
  if (peak.cell < 0 || peak.cell >= kScoreMapCells)
    throw Error("decode_center: peak cell: got " + std::to_string(peak.cell) + ", expected 0.." +
                std::to_string(kScoreMapCells - 1));
  if (search.size < 1)
    throw Error("decode_center: search window size: got " + std::to_string(search.size) +
                ", expected >= 1");
  DecodeResult r;
  r.ix = peak.cell % kScoreMapSide;
  r.iy = peak.cell / kScoreMapSide;
  r.score = peak.score;
  r.found = peak.score >= threshold;
  if (!r.found) {
    r.box = last;
    return r;
  }
  const float cx = (static_cast<float>(r.ix) + values.offset_x) / kScoreMapSide;
  const float cy = (static_cast<float>(r.iy) + values.offset_y) / kScoreMapSide;
  const float w = values.width, h = values.height;
  const auto crop = static_cast<float>(search.size);
  const float left = cx - w / 2, top = cy - h / 2;
  r.box.x = floor_to_int(rounded(left * crop) + static_cast<float>(search.x1), "x", r.ix, r.iy);
  r.box.y = floor_to_int(rounded(top * crop) + static_cast<float>(search.y1), "y", r.ix, r.iy);
  r.box.w = floor_to_int(w * crop, "w", r.ix, r.iy);
  r.box.h = floor_to_int(h * crop, "h", r.ix, r.iy);
  return r;
}

DecodeResult decode_center(std::span<const float> score, std::span<const float> size,
                           std::span<const float> offset, const Box& last, CropWindow search,
                           float threshold) {
  check_length(score, kScoreMapCells, "score");
  check_length(size, 2 * kScoreMapCells, "size");
  check_length(offset, 2 * kScoreMapCells, "offset");
  if (search.size < 1)
    throw Error("decode_center: search window size: got " + std::to_string(search.size) +
                ", expected >= 1");
  const CenterPeak peak = windowed_peak(score);
  const auto cell = static_cast<std::size_t>(peak.cell);
  const CenterCellValues values{size[cell], size[kScoreMapCells + cell], offset[cell],
                                offset[kScoreMapCells + cell]};
  return decode_center_cell(peak, values, last, search, threshold);
}

DecodeResult decode_corner(std::span<const float, 4> corners, float confidence, const Box& last, CropWindow search,
                           float threshold) {
  if (search.size < 1)
    throw Error("decode_corner: search window size: got " + std::to_string(search.size) + ", expected >= 1");
  static const char* const names[4] = {"x1", "y1", "x2", "y2"};
  for (std::size_t i = 0; i < 4; ++i)
    if (!std::isfinite(corners[i]))
      throw Error(std::string("decode_corner: corner ") + names[i] + ": got " + std::to_string(corners[i]) +
                  ", expected a finite fraction of the search crop");
  if (!std::isfinite(confidence))
    throw Error("decode_corner: confidence: got " + std::to_string(confidence) + ", expected a finite value");
  DecodeResult r;
  r.score = confidence;
  r.found = confidence >= threshold;
  if (!r.found) {
    r.box = last;
    return r;
  }
  const auto crop = static_cast<float>(search.size);
  r.box.x = floor_to_int(rounded(corners[0] * crop) + static_cast<float>(search.x1), "x");
  r.box.y = floor_to_int(rounded(corners[1] * crop) + static_cast<float>(search.y1), "y");
  r.box.w = floor_to_int((corners[2] - corners[0]) * crop, "w");
  r.box.h = floor_to_int((corners[3] - corners[1]) * crop, "h");
  return r;
}

}  // namespace et
