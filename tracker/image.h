// Frames as the tracker sees them: interleaved 8-bit RGB, and the one
// function that decodes a file into that form.
#pragma once
#include <cstddef>
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
// Largest width x height load_image accepts, checked the same way: 2^26
// pixels (8192 x 8192, 192 MiB as 8-bit RGB; stb may need up to 4 channels
// of 16 bits, 512 MiB, while decoding). Tracking sequences are far smaller
// (OTB/LaSOT/UAV123 frames are at most 1280 x 720 = 2^19.8 pixels).
inline constexpr std::int64_t kMaxImagePixels = std::int64_t{1} << 26;

// Decodes JPEG (baseline and progressive), PNG and BMP with stb_image
// (Debian libstb v2.27) and converts to 8-bit RGB; stb's PNM, TGA, GIF, PSD,
// PIC and HDR decoders are not built in, so those files (and TIFF, WebP, ...)
// are "cannot decode" errors. Conversions:
// - gray and gray+alpha: the gray value is copied to R, G and B;
// - alpha (gray+alpha, RGBA): dropped; the colour samples are kept as stored,
//   not composited onto any background;
// - 16-bit PNG: each sample keeps its high byte (v >> 8, stb's conversion,
//   the same as libpng's png_set_strip_16), so 0xFFFF -> 255, 0x80FF -> 128;
// - CMYK / YCCK JPEG: stb's own conversion to RGB (no colour management);
// - EXIF orientation is ignored (stb_image does not read it): pixels come
//   back in stored order, as OpenCV's IMREAD_IGNORE_ORIENTATION would give.
// The format is recognised from the bytes, never from the file name (a PNG
// named .jpg loads as the PNG it is).
// Throws et::Error naming the path when the file cannot be read, cannot be
// decoded (with stb's reason), is wider or taller than kMaxImageSide, or
// holds more than kMaxImagePixels pixels.
Image load_image(const std::string& path);

// The same decoding from an encoded file's bytes in memory; `name` stands in
// for the path in error messages ("decode_image: cannot decode '<name>' ...").
// `max_pixels` (at most kMaxImagePixels) lowers the pixel limit: a few
// hundred bytes of JPEG can claim 2^26 pixels, seconds of decoding, which a
// fuzzer should not spend its time on.
Image decode_image(const void* bytes, std::size_t size, const std::string& name,
                   std::int64_t max_pixels = kMaxImagePixels);

}  // namespace et
