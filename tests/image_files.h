// Tiny image-file writers, so image and tracker tests need no fixtures:
// PNG (any colour type, 8 or 16 bits, stored zlib blocks) and a DC-only
// baseline CMYK JPEG (Adobe APP14, transform 0), the kind of file stb_image
// converts with its own CMYK formula.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace et::test {

// color_type: 0 gray, 2 RGB, 4 gray+alpha, 6 RGBA; `samples` row-major with
// channels interleaved, one entry per sample (8 or 16 bits).
std::vector<std::uint8_t> make_png(int w, int h, int color_type, int bit_depth,
                                   const std::vector<std::uint16_t>& samples);

// A (8*blocks_x) x (8*blocks_y) CMYK JPEG whose 8x8 blocks are flat:
// block (bx, by) has the stored C, M, Y, K values cmyk[by*blocks_x + bx]
// (Adobe convention: stored as written, the decoder applies no inversion).
std::vector<std::uint8_t> make_cmyk_jpeg(int blocks_x, int blocks_y,
                                         const std::vector<std::array<std::uint8_t, 4>>& cmyk);

// stb_image's CMYK -> RGB step for one channel: x * k / 255, rounded.
std::uint8_t stb_blinn(std::uint8_t x, std::uint8_t k);

// Writes bytes to path (binary); returns path.
std::string write_file(const std::string& path, const std::vector<std::uint8_t>& bytes);

}  // namespace et::test
