#include "tests/image_files.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace et::test {
namespace {

std::uint32_t crc32(const std::vector<std::uint8_t>& bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::uint8_t b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}

void put_be16(std::vector<std::uint8_t>& out, unsigned v) {
  out.push_back(static_cast<std::uint8_t>((v >> 8) & 0xFF));
  out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

void put_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put_chunk(std::vector<std::uint8_t>& png, const char* type, const std::vector<std::uint8_t>& data) {
  put_be32(png, static_cast<std::uint32_t>(data.size()));
  std::vector<std::uint8_t> typed(type, type + 4);
  typed.insert(typed.end(), data.begin(), data.end());
  png.insert(png.end(), typed.begin(), typed.end());
  put_be32(png, crc32(typed));
}

// JPEG entropy-coded bits, MSB first, 0xFF bytes stuffed with 0x00.
struct BitWriter {
  std::vector<std::uint8_t> bytes;
  std::uint32_t acc = 0;
  int count = 0;
  void put(std::uint32_t code, int length) {
    for (int i = length - 1; i >= 0; --i) {
      acc = (acc << 1) | ((code >> i) & 1u);
      if (++count == 8) flush_byte();
    }
  }
  void flush_byte() {
    const auto b = static_cast<std::uint8_t>(acc & 0xFF);
    bytes.push_back(b);
    if (b == 0xFF) bytes.push_back(0x00);
    acc = 0;
    count = 0;
  }
  void finish() {  // pad with 1 bits
    while (count != 0) put(1, 1);
  }
};

}  // namespace

std::vector<std::uint8_t> make_png(int w, int h, int color_type, int bit_depth,
                                   const std::vector<std::uint16_t>& samples) {
  const int channels = color_type == 0 ? 1 : color_type == 2 ? 3 : color_type == 4 ? 2 : 4;
  REQUIRE(samples.size() == static_cast<std::size_t>(w * h * channels));
  std::vector<std::uint8_t> raw;  // filter byte 0 + big-endian samples per row
  for (int y = 0; y < h; ++y) {
    raw.push_back(0);
    for (int i = 0; i < w * channels; ++i) {
      const std::uint16_t s = samples[static_cast<std::size_t>(y * w * channels + i)];
      if (bit_depth == 16) raw.push_back(static_cast<std::uint8_t>(s >> 8));
      raw.push_back(static_cast<std::uint8_t>(s & 0xFF));
    }
  }
  std::vector<std::uint8_t> z = {0x78, 0x01};
  std::size_t pos = 0;
  do {
    const std::size_t len = std::min<std::size_t>(raw.size() - pos, 65535);
    z.push_back(pos + len == raw.size() ? 1 : 0);
    z.push_back(static_cast<std::uint8_t>(len & 0xFF));
    z.push_back(static_cast<std::uint8_t>(len >> 8));
    z.push_back(static_cast<std::uint8_t>(~len & 0xFF));
    z.push_back(static_cast<std::uint8_t>((~len >> 8) & 0xFF));
    z.insert(z.end(), raw.begin() + static_cast<std::ptrdiff_t>(pos),
             raw.begin() + static_cast<std::ptrdiff_t>(pos + len));
    pos += len;
  } while (pos < raw.size());
  std::uint32_t a = 1, b = 0;  // Adler-32
  for (std::uint8_t v : raw) a = (a + v) % 65521, b = (b + a) % 65521;
  put_be32(z, (b << 16) | a);

  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<std::uint8_t> ihdr;
  put_be32(ihdr, static_cast<std::uint32_t>(w));
  put_be32(ihdr, static_cast<std::uint32_t>(h));
  ihdr.insert(ihdr.end(), {static_cast<std::uint8_t>(bit_depth), static_cast<std::uint8_t>(color_type), 0, 0, 0});
  put_chunk(png, "IHDR", ihdr);
  put_chunk(png, "IDAT", z);
  put_chunk(png, "IEND", {});
  return png;
}

std::vector<std::uint8_t> make_cmyk_jpeg(int blocks_x, int blocks_y,
                                         const std::vector<std::array<std::uint8_t, 4>>& cmyk) {
  REQUIRE(cmyk.size() == static_cast<std::size_t>(blocks_x * blocks_y));
  // The standard luminance DC table (categories 0..11) and an AC table
  // holding only end-of-block, as the one-bit code "0".
  const std::uint8_t dc_counts[16] = {0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
  std::array<std::uint32_t, 12> dc_code{};
  std::array<int, 12> dc_length{};
  {
    std::uint32_t code = 0;
    int symbol = 0;
    for (int length = 1; length <= 16; ++length) {
      for (int i = 0; i < dc_counts[length - 1]; ++i, ++symbol, ++code) {
        dc_code[static_cast<std::size_t>(symbol)] = code;
        dc_length[static_cast<std::size_t>(symbol)] = length;
      }
      code <<= 1;
    }
  }
  std::vector<std::uint8_t> j = {0xFF, 0xD8};
  // APP14 "Adobe": version 100, flags 0, 0, transform 0 (CMYK, no colour transform).
  j.insert(j.end(), {0xFF, 0xEE});
  put_be16(j, 14);
  j.insert(j.end(), {'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0});
  // Quantisation table 0: all ones, so a coefficient is stored as computed.
  j.insert(j.end(), {0xFF, 0xDB});
  put_be16(j, 67);
  j.push_back(0x00);
  j.insert(j.end(), 64, 1);
  // SOF0: 8-bit, 4 components, no subsampling, all with table 0.
  j.insert(j.end(), {0xFF, 0xC0});
  put_be16(j, 20);
  j.push_back(8);
  put_be16(j, static_cast<unsigned>(8 * blocks_y));
  put_be16(j, static_cast<unsigned>(8 * blocks_x));
  j.push_back(4);
  for (std::uint8_t id = 1; id <= 4; ++id) j.insert(j.end(), {id, 0x11, 0x00});
  j.insert(j.end(), {0xFF, 0xC4});
  put_be16(j, 31);
  j.push_back(0x00);
  j.insert(j.end(), dc_counts, dc_counts + 16);
  for (std::uint8_t s = 0; s < 12; ++s) j.push_back(s);
  j.insert(j.end(), {0xFF, 0xC4});
  put_be16(j, 20);
  j.push_back(0x10);
  j.push_back(1);
  j.insert(j.end(), 15, 0);
  j.push_back(0x00);
  j.insert(j.end(), {0xFF, 0xDA});
  put_be16(j, 14);
  j.push_back(4);
  for (std::uint8_t id = 1; id <= 4; ++id) j.insert(j.end(), {id, 0x00});
  j.insert(j.end(), {0, 63, 0});

  // A flat block of value v has the DC coefficient 8 * (v - 128).
  BitWriter bits;
  int predictor[4] = {0, 0, 0, 0};
  for (const auto& block : cmyk)
    for (std::size_t c = 0; c < 4; ++c) {
      const int dc = 8 * (static_cast<int>(block[c]) - 128);
      const int diff = dc - predictor[c];
      predictor[c] = dc;
      int category = 0;
      for (int m = std::abs(diff); m > 0; m >>= 1) ++category;
      bits.put(dc_code[static_cast<std::size_t>(category)], dc_length[static_cast<std::size_t>(category)]);
      if (category > 0)
        bits.put(static_cast<std::uint32_t>(diff > 0 ? diff : diff + (1 << category) - 1), category);
      bits.put(0, 1);  // end of block: every AC coefficient is 0
    }
  bits.finish();
  j.insert(j.end(), bits.bytes.begin(), bits.bytes.end());
  j.insert(j.end(), {0xFF, 0xD9});
  return j;
}

std::uint8_t stb_blinn(std::uint8_t x, std::uint8_t k) {
  const unsigned t = unsigned{x} * k + 128;
  return static_cast<std::uint8_t>((t + (t >> 8)) >> 8);
}

std::string write_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE_MESSAGE(out.good(), "cannot write " << path);
  return path;
}

}  // namespace et::test
