// Center-head decode (tracker.md steps 5-6): Hann-windowed score argmax and
// the box read from the size and offset maps at that cell.
//
// Arithmetic is float32 throughout, as OpenCV's TrackerVit (tracker_vit.cpp:
// hann1d, multiply, minMaxLoc, updateLastRect) does it, each step rounded
// to float: the window h[i] = 0.5f*(1 - cosf(float(2*pi/17)*(i+1))), the
// windowed score score[k]*window[k], cx = (ix + off_x)/16,
// x = floor((cx - w/2)*crop + x0) with the product rounded before the add,
// and width floor(w*crop). Double arithmetic gives different boxes in rare
// cases (e.g. w*crop = 6.99999988 in double but 7 in float);
// tests/test_preprocess.cpp pins such cases.
#pragma once
#include <array>
#include <span>

#include "tracker/box.h"
#include "tracker/preprocess.h"

namespace et {

inline constexpr int kScoreMapSide = 16;
inline constexpr int kScoreMapCells = kScoreMapSide * kScoreMapSide;
inline constexpr float kDefaultScoreThreshold = 0.20f;

// h[i] = 0.5f*(1 - cosf(float(2*pi/17)*(i+1))), i = 0..15. Not exactly
// symmetric in float (h[2] != h[13]), as in OpenCV.
const std::array<float, kScoreMapSide>& hann_16();
// The 16x16 window, row-major [iy*16 + ix] = h[iy]*h[ix] (float products).
const std::array<float, kScoreMapCells>& hann_window_16();

struct DecodeResult {
  Box box;          // the new box, or the previous one when !found
  float score = 0;  // windowed maximum
  bool found = false;
  int ix = 0, iy = 0;  // argmax cell
};

// The Hann-windowed score argmax: the first maximum of score[k] * window[k]
// in row-major order. Throws et::Error for a map of the wrong length or a
// non-finite score.
struct CenterPeak {
  int cell = 0;      // 16*iy + ix
  float score = 0;   // the windowed score there
};
CenterPeak windowed_peak(std::span<const float> score);

// The size and offset maps' values at one cell (Network::center_cell(), or
// the whole maps read at the cell).
struct CenterCellValues {
  float width = 0, height = 0;       // size: fraction of the search crop side
  float offset_x = 0, offset_y = 0;  // offset: in cells
};

// decode_center from the peak and the values at its cell: found = score >=
// threshold; then the box, else `last`. Throws et::Error for a cell outside
// the map, a search window smaller than 1 or (when found) a box outside int
// range.
DecodeResult decode_center_cell(const CenterPeak& peak, const CenterCellValues& values, const Box& last,
                                CropWindow search, float threshold = kDefaultScoreThreshold);

// score [16*16], size [2][16*16] (w then h), offset [2][16*16] (x then y),
// each plane row-major with index 16*y + x: the network's raw outputs.
// `search` is the crop the maps were computed on, crop_window(last, 4):
// its x1/y1 are tracker.md's x0/y0 and its size is crop_sz. The argmax is the
// first maximum in row-major order. found = score >= threshold; otherwise
// box = last. Throws et::Error for a map of the wrong length, a non-finite
// score, or (when found) a non-finite size/offset or a box outside int range.
DecodeResult decode_center(std::span<const float> score, std::span<const float> size,
                           std::span<const float> offset, const Box& last, CropWindow search,
                           float threshold = kDefaultScoreThreshold);

// Corner-head decode (tracker.md step 7): `corners` = (x1, y1, x2, y2), the
// soft-argmaxed top-left and bottom-right corners as fractions of the search
// crop side (models.md "Heads"), mapped back the way decode_center maps the
// center head's box: x = floor(x1*crop + x0), y = floor(y1*crop + y0),
// w = floor((x2 - x1)*crop), h = floor((y2 - y1)*crop), float32 with the
// product rounded before the add. No window is applied (the soft-argmax
// already averages over the map). score = `confidence` (the network's
// peak_top_left * peak_bottom_right); found = confidence >= threshold, and
// the default threshold 0 accepts every box (corner-head trackers follow
// their argmax every frame). ix/iy are left 0. Throws et::Error for a
// non-finite corner or confidence, or a box outside int range.
DecodeResult decode_corner(std::span<const float, 4> corners, float confidence, const Box& last, CropWindow search,
                           float threshold = 0.f);

}  // namespace et
