#include "tracker/preprocess.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "kernels/kernels.h"
#include "weights/error.h"

namespace et {
namespace {

constexpr int kCoefBits = 11;  // OpenCV's INTER_RESIZE_COEF_BITS
constexpr int kCoefScale = 1 << kCoefBits;

// Stores through a volatile so the compiler cannot fuse this rounding step
// into a following add (-ffp-contract=fast is GCC's C++ default and would use
// FMA on an -march with it). OpenCV's baseline x86 build rounds every step.
double rounded(double v) {
  volatile double r = v;
  return r;
}

std::string dims(int w, int h) { return std::to_string(w) + "x" + std::to_string(h); }

void check_image(const Image& img, const char* fn, const char* arg) {
  if (img.width < 1 || img.height < 1)
    throw Error(std::string(fn) + ": " + arg + " is empty: got " + dims(img.width, img.height) +
                ", expected at least 1x1");
  const std::size_t expected = std::size_t{3} * static_cast<std::size_t>(img.width) *
                               static_cast<std::size_t>(img.height);
  if (img.rgb.size() != expected)
    throw Error(std::string(fn) + ": " + arg + " (" + dims(img.width, img.height) +
                ") has the wrong number of samples: got " + std::to_string(img.rgb.size()) +
                ", expected 3*" + std::to_string(img.width) + "*" + std::to_string(img.height) +
                " = " + std::to_string(expected));
}

void check_window(CropWindow win, const char* fn) {
  const auto hi = static_cast<std::int64_t>(std::numeric_limits<int>::max());
  if (win.size < 1 || std::int64_t{win.x1} + win.size > hi || std::int64_t{win.y1} + win.size > hi)
    throw Error(std::string(fn) + ": invalid crop window: got x1=" + std::to_string(win.x1) +
                ", y1=" + std::to_string(win.y1) + ", size=" + std::to_string(win.size) +
                ", expected size >= 1 and x1 + size, y1 + size within int");
}

void check_out_size(int out_size, const char* fn) {
  if (out_size < 1 || out_size > kMaxImageSide)
    throw Error(std::string(fn) + ": out_size: got " + std::to_string(out_size) +
                ", expected 1.." + std::to_string(kMaxImageSide));
}

template <class T>
void check_output(const T* out, const char* fn, const char* arg) {
  if (out == nullptr) throw Error(std::string(fn) + ": " + arg + ": got nullptr, expected a buffer");
}

std::uint8_t saturate_u8(int v) { return static_cast<std::uint8_t>(std::clamp(v, 0, 255)); }

// tracker.md's vertical pass, as OpenCV's x86 VResizeLinearVec_32s8u
// computes it (16-bit products >> 16, then (sum + 2) >> 2).
std::uint8_t vertical(std::int32_t t0, int b0, std::int32_t t1, int b1) {
  return saturate_u8((((t0 >> 4) * b0 >> 16) + ((t1 >> 4) * b1 >> 16) + 2) >> 2);
}

// The same on horizontal sums already shifted, h = t >> 4 (0..32640: t is
// at most 255 * 2048), and weights b <= 2048: both fit int16, so this is
// OpenCV's own 16 x 16-bit high-half product (_mm_mulhi_epi16), and the
// compiler vectorises it eight or sixteen lanes wide (the int32 form above
// needs 32-bit multiplies, which baseline x86-64 lacks).
std::uint8_t vertical_shifted(std::int16_t h0, std::int16_t b0, std::int16_t h1, std::int16_t b1) {
  return saturate_u8((((h0 * b0) >> 16) + ((h1 * b1) >> 16) + 2) >> 2);
}

// Source coordinate of output coordinate d: OpenCV's
// fx = (float)((d + 0.5)*scale - 0.5); sx = cvFloor(fx); fx -= sx.
// scale is OpenCV's 1/inv_scale with inv_scale = dst/src (double).
struct SourceCoord {
  int s;
  float f;
};
SourceCoord source_coord(int d, double scale) {
  const float f = static_cast<float>(rounded((d + 0.5) * scale) - 0.5);
  const float s = std::floor(f);
  return {static_cast<int>(s), f - s};
}

double resize_scale(int src, int dst) { return 1.0 / (static_cast<double>(dst) / src); }

// Q11 weights with round-half-even, as saturate_cast<short>(float * 2048).
int weight0(float f) { return static_cast<int>(std::lrint((1.f - f) * static_cast<float>(kCoefScale))); }
int weight1(float f) { return static_cast<int>(std::lrint(f * static_cast<float>(kCoefScale))); }

// Which RGB sample feeds `plane`.
int rgb_index(ChannelOrder order, int plane) { return order == ChannelOrder::rgb ? plane : 2 - plane; }

// Columns [0, limit) of the frame are visible to the crop (rows likewise).
int visible_limit(int frame_extent, std::int64_t crop_end, EdgeMode mode) {
  return (mode == EdgeMode::opencv && crop_end >= frame_extent) ? frame_extent - 1 : frame_extent;
}

// The fused resize: builds the column taps once, then produces each output
// row from (at most) two horizontally resized frame rows, calling
// sink(dy, rgb_row) with the 3*out_size resized samples of row dy.
template <class RowSink>
void crop_resize_rows(const Image& frame, CropWindow win, int out_size, EdgeMode mode,
                      PreprocessScratch& scratch, RowSink&& sink) {
  const int n = out_size;
  const int crop = win.size;
  const double scale = resize_scale(crop, n);
  const int limit_x = visible_limit(frame.width, std::int64_t{win.x1} + crop, mode);
  const int limit_y = visible_limit(frame.height, std::int64_t{win.y1} + crop, mode);
  const auto n3 = static_cast<std::size_t>(3 * n);

  scratch.x_offset0.resize(static_cast<std::size_t>(n));
  scratch.x_offset1.resize(static_cast<std::size_t>(n));
  scratch.x_weight0.resize(static_cast<std::size_t>(n));
  scratch.x_weight1.resize(static_cast<std::size_t>(n));
  scratch.row0.resize(n3);
  scratch.row1.resize(n3);
  scratch.out_row.resize(n3);
  int* const off0 = scratch.x_offset0.data();
  int* const off1 = scratch.x_offset1.data();
  int* const wt0 = scratch.x_weight0.data();
  int* const wt1 = scratch.x_weight1.data();

  // A tap on a column the crop cannot see (off the frame or blanked) would
  // read 0; weight 0 on any real sample (offset 0) contributes the same 0.
  for (int dx = 0; dx < n; ++dx) {
    auto [s, f] = source_coord(dx, scale);
    if (s < 0) s = 0, f = 0.f;
    if (s >= crop - 1) s = crop - 1, f = 0.f;
    const int col0 = win.x1 + s;
    const int col1 = col0 + 1;  // only read when weight1 != 0, i.e. s < crop - 1
    const bool vis0 = col0 >= 0 && col0 < limit_x;
    const bool vis1 = col1 >= 0 && col1 < limit_x;
    off0[dx] = vis0 ? 3 * col0 : 0;
    wt0[dx] = vis0 ? weight0(f) : 0;
    off1[dx] = vis1 ? 3 * col1 : 0;
    wt1[dx] = vis1 ? weight1(f) : 0;
  }

  // Each sum t of a row, stored as t >> 4 (the vertical pass's first step).
  const auto horizontal = [&](int frame_row, std::int16_t* t) {
    const std::uint8_t* p = frame.rgb.data() + std::size_t{3} * static_cast<std::size_t>(frame.width) *
                                                   static_cast<std::size_t>(frame_row);
    for (int dx = 0; dx < n; ++dx) {
      const std::uint8_t* p0 = p + off0[dx];
      const std::uint8_t* p1 = p + off1[dx];
      for (int c = 0; c < 3; ++c) t[3 * dx + c] = static_cast<std::int16_t>((p0[c] * wt0[dx] + p1[c] * wt1[dx]) >> 4);
    }
  };
  // Two row buffers keyed by frame row; consecutive output rows mostly
  // share source rows, so most rows are computed once.
  std::int16_t* bufs[2] = {scratch.row0.data(), scratch.row1.data()};
  int held[2] = {-1, -1};
  const auto row = [&](int frame_row, int keep) -> const std::int16_t* {
    for (int i = 0; i < 2; ++i)
      if (held[i] == frame_row) return bufs[i];
    const int i = held[0] == keep ? 1 : 0;
    horizontal(frame_row, bufs[i]);
    held[i] = frame_row;
    return bufs[i];
  };

  std::uint8_t* const out = scratch.out_row.data();
  for (int dy = 0; dy < n; ++dy) {
    const auto [s, f] = source_coord(dy, scale);
    // y weights are not reset at the border; the rows are clamped instead.
    const int row0 = win.y1 + std::clamp(s, 0, crop - 1);
    const int row1 = win.y1 + std::clamp(s + 1, 0, crop - 1);
    const int b0 = (row0 >= 0 && row0 < limit_y) ? weight0(f) : 0;
    const int b1 = (row1 >= 0 && row1 < limit_y) ? weight1(f) : 0;
    // A row with weight 0 contributes exactly 0, so it is not computed.
    if (b0 != 0 && b1 != 0) {
      const std::int16_t* t0 = row(row0, row1);
      const std::int16_t* t1 = row(row1, row0);
      const auto w0 = static_cast<std::int16_t>(b0), w1 = static_cast<std::int16_t>(b1);
      for (std::size_t i = 0; i < n3; ++i) out[i] = vertical_shifted(t0[i], w0, t1[i], w1);
    } else if (b0 != 0 || b1 != 0) {
      const std::int16_t* t = b0 != 0 ? row(row0, -1) : row(row1, -1);
      const auto w = static_cast<std::int16_t>(b0 != 0 ? b0 : b1);
      for (std::size_t i = 0; i < n3; ++i) out[i] = vertical_shifted(t[i], w, 0, 0);
    } else {
      std::fill_n(out, n3, vertical(0, 0, 0, 0));
    }
    sink(dy, static_cast<const std::uint8_t*>(out));
  }
}

}  // namespace

CropWindow crop_window(const Box& box, double factor) {
  if (box.w <= 0 || box.h <= 0)
    throw Error("crop_window: box (x=" + std::to_string(box.x) + ", y=" + std::to_string(box.y) +
                ") has no area: got w=" + std::to_string(box.w) + ", h=" + std::to_string(box.h) +
                ", expected w >= 1 and h >= 1");
  if (!(factor > 0.0) || !std::isfinite(factor))
    throw Error("crop_window: factor: got " + std::to_string(factor) + ", expected a positive finite number");
  // OpenCV: cvCeil(sqrt(w * h) * factor) in double; w*h in double cannot overflow.
  const double side = std::ceil(std::sqrt(static_cast<double>(box.w) * box.h) * factor);
  const auto size = static_cast<std::int64_t>(std::min(side, 1e18));
  const std::int64_t x1 = box.x + (box.w - size) / 2;  // truncates toward zero, as int arithmetic
  const std::int64_t y1 = box.y + (box.h - size) / 2;
  const auto lo = static_cast<std::int64_t>(std::numeric_limits<int>::min());
  const auto hi = static_cast<std::int64_t>(std::numeric_limits<int>::max());
  if (size > hi || x1 < lo || y1 < lo || x1 + size > hi || y1 + size > hi)
    throw Error("crop_window: box (" + std::to_string(box.x) + ", " + std::to_string(box.y) + ", " +
                std::to_string(box.w) + ", " + std::to_string(box.h) + ") with factor " +
                std::to_string(factor) + " gives a crop of side " + std::to_string(size) +
                " at (" + std::to_string(x1) + ", " + std::to_string(y1) +
                "), expected it to fit in int coordinates");
  return {static_cast<int>(x1), static_cast<int>(y1), static_cast<int>(size)};
}

float normalize_sample(std::uint8_t p, int plane) {
  if (plane < 0 || plane > 2)
    throw Error("normalize_sample: plane: got " + std::to_string(plane) + ", expected 0, 1 or 2");
  return (static_cast<float>(p) / 255.f - kImageNetMean[plane]) / kImageNetStd[plane];
}

Image crop_padded(const Image& frame, CropWindow win, EdgeMode mode) {
  check_image(frame, "crop_padded", "frame");
  check_window(win, "crop_padded");
  if (win.size > kMaxImageSide)
    throw Error("crop_padded: window size: got " + std::to_string(win.size) + ", expected at most " +
                std::to_string(kMaxImageSide) + " (the reference path builds the whole crop)");
  // OpenCV crop_image(): pads, roi, then copyMakeBorder(BORDER_CONSTANT 0).
  const int tail = mode == EdgeMode::opencv ? 1 : 0;
  const std::int64_t x1 = win.x1, y1 = win.y1, x2 = x1 + win.size, y2 = y1 + win.size;
  const std::int64_t x1_pad = std::max<std::int64_t>(0, -x1);
  const std::int64_t y1_pad = std::max<std::int64_t>(0, -y1);
  const std::int64_t x2_pad = std::max<std::int64_t>(x2 - frame.width + tail, 0);
  const std::int64_t y2_pad = std::max<std::int64_t>(y2 - frame.height + tail, 0);
  const std::int64_t roi_x = x1 + x1_pad, roi_w = x2 - x2_pad - x1 - x1_pad;
  const std::int64_t roi_y = y1 + y1_pad, roi_h = y2 - y2_pad - y1 - y1_pad;

  Image out;
  out.width = out.height = win.size;
  out.rgb.assign(std::size_t{3} * static_cast<std::size_t>(win.size) * static_cast<std::size_t>(win.size), 0);
  if (roi_w <= 0 || roi_h <= 0) return out;  // nothing of the frame is visible
  for (std::int64_t r = 0; r < roi_h; ++r) {
    const auto src = static_cast<std::size_t>(3 * ((roi_y + r) * frame.width + roi_x));
    const auto dst = static_cast<std::size_t>(3 * ((y1_pad + r) * win.size + x1_pad));
    std::copy_n(frame.rgb.begin() + static_cast<std::ptrdiff_t>(src), 3 * roi_w,
                out.rgb.begin() + static_cast<std::ptrdiff_t>(dst));
  }
  return out;
}

Image resize_linear_u8(const Image& src, int out_size) {
  check_image(src, "resize_linear_u8", "src");
  check_out_size(out_size, "resize_linear_u8");
  const int w = src.width, h = src.height, n = out_size;
  if (w == n && h == n) return src;  // cv::resize copies
  const auto at = [&](int y, int x, int c) -> int {
    return src.rgb[static_cast<std::size_t>(3 * (y * w + x) + c)];
  };
  Image out;
  out.width = out.height = n;
  out.rgb.resize(std::size_t{3} * static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
  const auto put = [&](int y, int x, int c, std::uint8_t v) {
    out.rgb[static_cast<std::size_t>(3 * (y * n + x) + c)] = v;
  };

  if (w == 2 * n && h == 2 * n) {     // OpenCV's INTER_AREA fast path
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x)
        for (int c = 0; c < 3; ++c)
          put(y, x, c,
              static_cast<std::uint8_t>((at(2 * y, 2 * x, c) + at(2 * y, 2 * x + 1, c) +
                                         at(2 * y + 1, 2 * x, c) + at(2 * y + 1, 2 * x + 1, c) + 2) >> 2));
    return out;
  }

  const double scale_x = 1.0 / (static_cast<double>(n) / w);
  const double scale_y = 1.0 / (static_cast<double>(n) / h);
  for (int dy = 0; dy < n; ++dy) {
    const float fy0 = static_cast<float>(rounded((dy + 0.5) * scale_y) - 0.5);
    const int sy = static_cast<int>(std::floor(fy0));
    const float fy = fy0 - static_cast<float>(sy);
    const int b0 = static_cast<int>(std::lrint((1.f - fy) * 2048.f));
    const int b1 = static_cast<int>(std::lrint(fy * 2048.f));
    const int r0 = std::clamp(sy, 0, h - 1), r1 = std::clamp(sy + 1, 0, h - 1);
    for (int dx = 0; dx < n; ++dx) {
      const float fx0 = static_cast<float>(rounded((dx + 0.5) * scale_x) - 0.5);
      int sx = static_cast<int>(std::floor(fx0));
      float fx = fx0 - static_cast<float>(sx);
      if (sx < 0) sx = 0, fx = 0.f;
      if (sx >= w - 1) sx = w - 1, fx = 0.f;
      const int a0 = static_cast<int>(std::lrint((1.f - fx) * 2048.f));
      const int a1 = static_cast<int>(std::lrint(fx * 2048.f));
      const int sx1 = std::min(sx + 1, w - 1);  // a1 == 0 whenever sx + 1 == w
      for (int c = 0; c < 3; ++c) {
        const std::int32_t t0 = at(r0, sx, c) * a0 + at(r0, sx1, c) * a1;
        const std::int32_t t1 = at(r1, sx, c) * a0 + at(r1, sx1, c) * a1;
        put(dy, dx, c, vertical(t0, b0, t1, b1));
      }
    }
  }
  return out;
}

void normalize_chw(const Image& img, ChannelOrder order, float* out_chw) {
  check_image(img, "normalize_chw", "img");
  check_output(out_chw, "normalize_chw", "out_chw");
  const auto plane_size = static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height);
  for (int plane = 0; plane < 3; ++plane) {
    const int c = rgb_index(order, plane);
    float* dst = out_chw + static_cast<std::size_t>(plane) * plane_size;
    for (std::size_t i = 0; i < plane_size; ++i)
      dst[i] = normalize_sample(img.rgb[3 * i + static_cast<std::size_t>(c)], plane);
  }
}

void crop_resize_u8(const Image& frame, CropWindow win, int out_size, EdgeMode mode,
                    std::uint8_t* out_rgb, PreprocessScratch& scratch) {
  check_image(frame, "crop_resize_u8", "frame");
  check_window(win, "crop_resize_u8");
  check_out_size(out_size, "crop_resize_u8");
  check_output(out_rgb, "crop_resize_u8", "out_rgb");
  const auto n3 = std::size_t{3} * static_cast<std::size_t>(out_size);
  crop_resize_rows(frame, win, out_size, mode, scratch, [&](int dy, const std::uint8_t* row) {
    std::copy_n(row, n3, out_rgb + static_cast<std::size_t>(dy) * n3);
  });
}

void crop_resize_normalize(const Image& frame, CropWindow win, int out_size, EdgeMode mode,
                           ChannelOrder order, float* out_chw, PreprocessScratch& scratch) {
  check_image(frame, "crop_resize_normalize", "frame");
  check_window(win, "crop_resize_normalize");
  check_out_size(out_size, "crop_resize_normalize");
  check_output(out_chw, "crop_resize_normalize", "out_chw");
  RgbNormalization norm;
  for (int plane = 0; plane < 3; ++plane) {
    norm.source[plane] = rgb_index(order, plane);
    norm.mean[plane] = kImageNetMean[plane];
    norm.stddev[plane] = kImageNetStd[plane];
  }
  const KernelTable& kernels = active_kernels();
  const auto n = static_cast<std::size_t>(out_size);
  crop_resize_rows(frame, win, out_size, mode, scratch, [&](int dy, const std::uint8_t* row) {
    const auto row_start = static_cast<std::size_t>(dy) * n;
    float* const planes[3] = {out_chw + row_start, out_chw + n * n + row_start, out_chw + 2 * n * n + row_start};
    kernels.normalize_rgb(row, out_size, norm, planes);
  });
}

void crop_resize_u8(const Image& frame, CropWindow win, int out_size, EdgeMode mode,
                    std::uint8_t* out_rgb) {
  PreprocessScratch scratch;
  crop_resize_u8(frame, win, out_size, mode, out_rgb, scratch);
}

void crop_resize_normalize(const Image& frame, CropWindow win, int out_size, EdgeMode mode,
                           ChannelOrder order, float* out_chw) {
  PreprocessScratch scratch;
  crop_resize_normalize(frame, win, out_size, mode, order, out_chw, scratch);
}

}  // namespace et
