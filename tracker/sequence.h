// A tracking sequence on disk (tracker.md, "Data"): DIR/img/<frames> and
// DIR/groundtruth.txt with one x,y,w,h row per frame.
#pragma once
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "tracker/box.h"

namespace et {

// A ground-truth row as written in the file; a NaN or infinite coordinate,
// or w/h <= 0, means the target is absent in that frame.
struct BoxF {
  double x = 0, y = 0, w = 0, h = 0;
  bool present() const {
    return std::isfinite(x) && std::isfinite(y) && std::isfinite(w) && std::isfinite(h) && w > 0 && h > 0;
  }
};

// The frame files of DIR/img (.jpg .jpeg .png .bmp, any case), sorted by
// name. Throws et::Error if the folder is missing or holds no frames.
std::vector<std::string> list_frames(const std::string& sequence_dir);

// Rows of x,y,w,h separated by commas, tabs or spaces (OTB uses all three);
// "nan" is accepted; blank lines are skipped only at the end of the file.
// Throws et::Error "<path>:<line>: got '<text>', expected 4 numbers x,y,w,h"
// (bytes outside printable ASCII as \xNN, text longer than 80 bytes cut to
// 80 and "..."), and names the path
// when the file cannot be opened or read.
std::vector<BoxF> read_groundtruth(const std::string& path);

// The same rows from the file's text in memory; `name` stands in for the
// path in error messages.
std::vector<BoxF> parse_groundtruth(std::string_view text, const std::string& name);

// OpenCV boxes are integers: each coordinate rounded half up
// (floor(v + 0.5)), as the reference does for vot2015_bag's first row.
// Throws et::Error if the box is absent (NaN, w or h < 1 after rounding).
Box round_box(const BoxF& box, const std::string& where);

}  // namespace et
