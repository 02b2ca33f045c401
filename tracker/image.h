// Frames as the tracker sees them: interleaved 8-bit RGB, and the one
// function that decodes a file into that form.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace et {

// Interleaved 8-bit RGB, row-major, no row padding:
// rgb[(y * width + x) * 3 + c], c = 0 R, 1 G, 2 B; rgb.size() == 3*width*height.
struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
};

// Largest width or height load_image accepts (checked from the file header,
// before any pixel is decoded): 16384 x 16384 x 3 bytes is already 768 MiB.
inline constexpr int kMaxImageSide = 16384;

// Decodes JPEG (baseline and progressive), PNG, BMP, TGA, GIF (first frame),
// PSD, PIC, PNM and HDR with stb_image (Debian libstb v2.27) and converts to
// 8-bit RGB:
// - gray and gray+alpha: the gray value is copied to R, G and B;
// - alpha (gray+alpha, RGBA): dropped; the colour samples are kept as stored,
//   not composited onto any background;
// - 16-bit PNG: each sample keeps its high byte (v >> 8, stb's conversion,
//   the same as libpng's png_set_strip_16), so 0xFFFF -> 255, 0x80FF -> 128;
// - CMYK / YCCK JPEG: stb's own conversion to RGB (no colour management);
// - EXIF orientation is ignored (stb_image does not read it): pixels come
//   back in stored order, as OpenCV's IMREAD_IGNORE_ORIENTATION would give.
// Throws et::Error naming the path when the file cannot be read, cannot be
// decoded (with stb's reason), or is wider or taller than kMaxImageSide.
Image load_image(const std::string& path);

}  // namespace et
