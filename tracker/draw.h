// Drawing on RGB images for people to look at: overlay frames, contact
// sheets and the evaluation plots. Everything clips to the image, so any
// coordinates are safe. Text uses a built-in 5x7 bitmap font (ASCII 32..126,
// anything else drawn as '?'), scaled by an integer factor.
#pragma once
#include <cstdint>
#include <string>

#include "tracker/image.h"

namespace et {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

// A w x h image filled with `fill`. Throws et::Error for w or h < 1 or
// larger than kMaxImageSide.
Image make_image(int w, int h, Rgb fill);

Rgb pixel_at(const Image& img, int x, int y);  // throws et::Error outside the image

void fill_rect(Image& img, int x, int y, int w, int h, Rgb colour);
// The outline of [x, x+w) x [y, y+h), `thickness` pixels drawn inward.
void draw_rect(Image& img, int x, int y, int w, int h, Rgb colour, int thickness = 1);
// A line from (x0, y0) to (x1, y1), both ends included, drawn as a square
// brush of side `thickness` (Bresenham on the rounded end points).
void draw_line(Image& img, double x0, double y0, double x1, double y1, Rgb colour, int thickness = 1);

inline constexpr int kGlyphWidth = 5, kGlyphHeight = 7, kGlyphAdvance = 6;
// Width of `text` and height of a line (7 rows plus one for descenders) in
// pixels at `scale`, without a trailing gap.
int text_width(const std::string& text, int scale = 1);
int text_height(int scale = 1);
// Draws `text` with its top-left corner at (x, y).
void draw_text(Image& img, int x, int y, const std::string& text, Rgb colour, int scale = 1);
// The text rotated 90 degrees counter-clockwise (reads bottom to top), its
// bounding box's top-left corner at (x, y).
void draw_text_vertical(Image& img, int x, int y, const std::string& text, Rgb colour, int scale = 1);

// `src` resampled to w x h with a box filter (each output pixel averages the
// source pixels its footprint covers; enlarging repeats pixels).
Image resize_box(const Image& src, int w, int h);
// Copies `src` into `dst` with its top-left corner at (x, y), clipped.
void blit(Image& dst, const Image& src, int x, int y);

}  // namespace et
