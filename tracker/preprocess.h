// Crop, resize and normalise a frame into network input (tracker.md steps
// 1-3), the way OpenCV's TrackerVit does it.
//
// Two implementations of the same arithmetic:
// - a literal reference, one OpenCV call per function: crop_padded() is
//   crop_image()'s roi + copyMakeBorder, resize_linear_u8() is cv::resize
//   INTER_LINEAR on 8-bit data, normalize_chw() is tracker.md step 3;
// - the fused production path, crop_resize_normalize(), which reads the
//   frame directly (no padded crop is ever built) and writes planar floats.
// The two agree bit for bit; tests/test_preprocess.cpp checks it.
#pragma once
#include <cstdint>
#include <vector>

#include "tracker/box.h"
#include "tracker/image.h"

namespace et {

// A square crop [x1, x1 + size) x [y1, y1 + size) in frame pixels; it may
// reach outside the frame.
struct CropWindow {
  int x1 = 0, y1 = 0, size = 0;
  friend bool operator==(const CropWindow&, const CropWindow&) = default;
};

// OpenCV's crop_image() geometry: size = ceil(sqrt(w*h) * factor) (double
// arithmetic), x1 = x + (w - size)/2 and y1 = y + (h - size)/2 with C++
// integer division, which truncates toward zero (so (-3)/2 == -1).
// Every box with w, h >= 1 and factor > 0 gives size >= 1.
// Throws et::Error if w or h <= 0, factor is not a positive finite number,
// or the window does not fit in int coordinates.
CropWindow crop_window(const Box& box, double factor);

// opencv: OpenCV's right/bottom padding max(x2 - cols + 1, 0) (x2 = x1 + size)
//   also blanks the frame's last column whenever the crop reaches it, i.e.
//   when x2 >= cols; likewise the last row when y2 >= rows. Other pixels are
//   unaffected, and a crop with x2 < cols sees the frame unchanged.
// correct: only pixels outside the frame are zero.
enum class EdgeMode { opencv, correct };

// Order of the three planes fed to the network. bgr is what OpenCV feeds;
// in both orders plane c is normalised with kImageNetMean[c] / kImageNetStd[c]
// (RGB-ordered constants), so in bgr order B uses R's mean 0.485: OpenCV's
// quirk, kept in compatibility mode.
enum class ChannelOrder { bgr, rgb };

// Per-channel division by std, as tracker.md and the reference tracks do.
// (OpenCV's current tracker_vit.cpp builds its blob scale as
// (1.0 / stdvalue) * (1/255.0), which cv::Scalar evaluates as a quaternion
// inverse: (0.00586, -0.00573, -0.00576) instead of 1/(255*std) =
// (0.01712, 0.01751, 0.01743). That is not reproduced.)
inline constexpr float kImageNetMean[3] = {0.485f, 0.456f, 0.406f};
inline constexpr float kImageNetStd[3] = {0.229f, 0.224f, 0.225f};

// Normalised value of 8-bit sample p in plane c, in float32:
// (float(p) / 255 - kImageNetMean[c]) / kImageNetStd[c], each step rounded
// (RgbNormalization in kernels/shapes.h). Exactly the value both paths
// below write: the fused one through the kernel table's normalize_rgb,
// which equals this bit for bit on every ISA.
float normalize_sample(std::uint8_t p, int plane);

// ---- reference path (allocates; for tests and debugging) ----------------

// The size x size crop of `frame` at `win`, zero where it lies outside the
// frame (and, in opencv mode, on the blanked last column/row). A window that
// misses the frame entirely gives an all-zero image (OpenCV would assert).
Image crop_padded(const Image& frame, CropWindow win, EdgeMode mode);

// cv::resize(src, dst, {out_size, out_size}) with INTER_LINEAR on 8-bit RGB,
// following tracker.md's fixed-point description literally; src need not be
// square. Same size copies; an exact 2x downscale in both directions takes
// OpenCV's area path (a+b+c+d+2)>>2.
Image resize_linear_u8(const Image& src, int out_size);

// Planar float [3][height][width] from an RGB image: planes in `order`,
// values normalize_sample(p, plane).
void normalize_chw(const Image& img, ChannelOrder order, float* out_chw);

// ---- fused production path ------------------------------------------------

// Per-call working memory of the fused path: coefficient tables and two
// rows of the horizontal pass, O(out_size) in all. Its vectors grow to
// the largest out_size seen and are then reused, so repeated calls with the
// same out_size allocate nothing. One scratch per thread.
struct PreprocessScratch {
  std::vector<int> x_offset0, x_offset1;  // [out_size] sample offset of each tap in a frame row
  std::vector<int> x_weight0, x_weight1;  // [out_size] Q11 weights; 0 for a tap off the frame
  std::vector<std::int16_t> row0, row1;   // [3*out_size] horizontal pass of two frame rows, >> 4
  std::vector<std::uint8_t> out_row;      // [3*out_size] one resized RGB row
};

// resize_linear_u8(crop_padded(frame, win, mode), out_size), bit for bit,
// written as interleaved RGB [out_size][out_size][3] into out_rgb.
void crop_resize_u8(const Image& frame, CropWindow win, int out_size, EdgeMode mode,
                    std::uint8_t* out_rgb, PreprocessScratch& scratch);

// normalize_chw(resize_linear_u8(crop_padded(frame, win, mode), out_size),
// order), bit for bit, written as [3][out_size][out_size] floats into out_chw.
// Cost O(out_size^2), independent of the crop size.
void crop_resize_normalize(const Image& frame, CropWindow win, int out_size, EdgeMode mode,
                           ChannelOrder order, float* out_chw, PreprocessScratch& scratch);

// The same with a scratch of their own: they allocate on every call.
void crop_resize_u8(const Image& frame, CropWindow win, int out_size, EdgeMode mode,
                    std::uint8_t* out_rgb);
void crop_resize_normalize(const Image& frame, CropWindow win, int out_size, EdgeMode mode,
                           ChannelOrder order, float* out_chw);

}  // namespace et
