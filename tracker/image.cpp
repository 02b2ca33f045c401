#include "tracker/image.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>

#include "weights/error.h"

// The one translation unit that compiles stb_image. Its code is not held to
// this project's warning flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wpedantic"
#define STB_IMAGE_IMPLEMENTATION
#define STBI_FAILURE_USERMSG
// stb's asserts guard its own invariants, and corrupt files can break them
// (a Huffman code that does not match its table: fuzz_image's find), where
// assert() would abort the process in any build without NDEBUG. Every build
// does what Release does: the decoder goes on and reports "Corrupt JPEG";
// the ASan fuzz build checks that path stays in bounds.
#define STBI_ASSERT(x) ((void)sizeof(x))
// stb 2.27 decodes a JPEG scan that names a Huffman table the file never
// defined with that table's uninitialised memory: a garbage symbol index,
// read out of bounds (fuzz_image's find; 2.28 checks the index). Zeroed
// allocations make such a table deterministic and harmless: it decodes zeros.
#define STBI_MALLOC(size) std::calloc(1, size)
#define STBI_REALLOC(pointer, size) std::realloc(pointer, size)
#define STBI_FREE(pointer) std::free(pointer)
// The formats of tracking data (list_frames' extensions); stb's other
// decoders are left out of the build, which keeps their code away from
// hostile files (fuzz_image found a heap overflow in 2.27's 16-bit PNM path).
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#include <stb_image.h>
#pragma GCC diagnostic pop

namespace et {
namespace {

std::vector<unsigned char> read_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw Error("load_image: cannot open '" + path + "': " + std::strerror(errno));
  std::vector<unsigned char> bytes;
  unsigned char chunk[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, f.get())) > 0) {
    bytes.insert(bytes.end(), chunk, chunk + n);
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw Error("load_image: '" + path + "' is larger than 2 GiB, which stb_image cannot decode");
  }
  if (std::ferror(f.get())) throw Error("load_image: cannot read '" + path + "': " + std::strerror(errno));
  return bytes;
}

std::string stb_reason() {
  const char* reason = stbi_failure_reason();
  return reason ? reason : "unknown reason";
}

// stb_image 2.27 (Debian 12's libstb) trusts the 16 code counts of a JPEG
// Huffman table (DHT): more than 256 codes in one table run past its fixed
// arrays, a heap overflow (upstream 2.28 added the check). This walks the
// markers the way stb reads them -- segments by their lengths, entropy-coded
// data up to the next marker, each DHT table by its counts -- and returns the
// offset of the first table with more than 256 codes, or 0 if there is none.
// Where stb would stop with an error the walk goes on, so it checks at least
// every table stb reads.
std::size_t jpeg_oversized_huffman_table(const unsigned char* b, std::size_t n) {
  constexpr int kNone = -1;
  std::size_t p = 0;
  // stb's stbi__get_marker: a marker is 0xFF (any number of them) and a byte.
  auto next_marker = [&]() -> int {
    if (b[p++] != 0xFF) return kNone;
    while (p < n && b[p] == 0xFF) ++p;
    return p < n ? b[p++] : kNone;
  };
  if (n < 2 || next_marker() != 0xD8) return 0;  // no SOI: stb does not read it as a JPEG
  while (p < n) {
    const int marker = next_marker();
    if (marker == kNone || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) continue;  // no length
    if (marker == 0xD9) return 0;  // EOI
    if (p + 2 > n) return 0;
    const std::size_t length = std::size_t{b[p]} << 8 | b[p + 1];
    if (marker == 0xC4) {
      // stb reads tables while the segment's length lasts, each 17 + count bytes.
      long left = static_cast<long>(length) - 2;
      std::size_t table = p + 2;
      while (left > 0 && table < n) {
        std::size_t codes = 0;
        for (std::size_t i = table + 1; i < table + 17 && i < n; ++i) codes += b[i];
        if (codes > 256) return table;
        table += 17 + codes;
        left -= static_cast<long>(17 + codes);
      }
      p = table;
      continue;
    }
    p += length;
    if (marker == 0xDA) {
      // SOS: skip the entropy-coded data as stb's bit reader does: 0xFF, any
      // number of 0xFF fill bytes, then 0x00 is a data byte (so FF FF 00 is
      // data, not a marker 0x00: fuzz_image's find), and a restart marker
      // RSTn continues the data; any other byte after the 0xFFs is a marker.
      while (p < n) {
        if (b[p] != 0xFF) {
          ++p;
          continue;
        }
        std::size_t q = p + 1;
        while (q < n && b[q] == 0xFF) ++q;
        if (q < n && (b[q] == 0x00 || (b[q] >= 0xD0 && b[q] <= 0xD7))) {
          p = q + 1;
          continue;
        }
        break;  // the marker (or the end of the file) after the data
      }
    }
  }
  return 0;
}

// stb_image 2.27 grows its buffer for a PNG's compressed data (IDAT) to the
// chunk's declared length before reading it, doubling up to 2 GiB: 80 bytes of
// file could make it allocate 2 GiB (fuzz_image's find). A chunk whose data
// runs past the end of the file can never decode (stb then reads a zeroed
// chunk header and stops), so each chunk up to IEND is checked against what
// is left of the file. Returns the offset of the first such chunk, or 0.
std::size_t png_chunk_past_end(const unsigned char* b, std::size_t n, std::uint32_t* declared) {
  static constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (n < 8 || std::memcmp(b, kSignature, 8) != 0) return 0;
  for (std::size_t p = 8; p + 8 <= n;) {  // chunk: length (4, big-endian), type (4), data, CRC (4)
    const std::uint32_t length = std::uint32_t{b[p]} << 24 | std::uint32_t{b[p + 1]} << 16 |
                                 std::uint32_t{b[p + 2]} << 8 | std::uint32_t{b[p + 3]};
    if (length > n - (p + 8)) {
      *declared = length;
      return p;
    }
    if (std::memcmp(b + p + 4, "IEND", 4) == 0) return 0;
    p += 12 + std::size_t{length};
  }
  return 0;
}

// `caller` ("load_image", "decode_image") starts every message.
Image decode(const unsigned char* bytes, std::size_t size, const std::string& name, const std::string& caller,
             std::int64_t max_pixels) {
  if (size == 0) throw Error(caller + ": cannot decode '" + name + "': the file is empty");
  if (size > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw Error(caller + ": '" + name + "' is larger than 2 GiB, which stb_image cannot decode");
  const int len = static_cast<int>(size);
  if (const std::size_t table = jpeg_oversized_huffman_table(bytes, size))
    throw Error(caller + ": cannot decode '" + name + "': corrupt JPEG: the Huffman table at byte " +
                std::to_string(table) + " defines more than 256 codes");

  std::uint32_t declared = 0;
  if (const std::size_t chunk = png_chunk_past_end(bytes, size, &declared))
    throw Error(caller + ": cannot decode '" + name + "': corrupt PNG: the chunk at byte " + std::to_string(chunk) +
                " declares " + std::to_string(declared) + " bytes of data, but only " +
                std::to_string(size - chunk - 8) + " follow its header");

  int w = 0, h = 0, channels = 0;
  if (!stbi_info_from_memory(bytes, len, &w, &h, &channels))
    throw Error(caller + ": cannot decode '" + name + "' (" + std::to_string(size) + " bytes): " + stb_reason());
  const std::int64_t pixels = std::int64_t{w} * std::int64_t{h};
  if (w < 1 || h < 1 || w > kMaxImageSide || h > kMaxImageSide || pixels > max_pixels)
    throw Error(caller + ": '" + name + "' is too large: got " + std::to_string(w) + "x" + std::to_string(h) +
                " (" + std::to_string(pixels) + " pixels), expected at most " + std::to_string(kMaxImageSide) +
                " per side and " + std::to_string(max_pixels) + " pixels");

  // req_comp = 3: stb converts gray/gray+alpha/RGBA to RGB and 16-bit to 8-bit.
  int decoded_w = 0, decoded_h = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> decoded(
      stbi_load_from_memory(bytes, len, &decoded_w, &decoded_h, &channels, 3), &stbi_image_free);
  if (!decoded) throw Error(caller + ": cannot decode '" + name + "': " + stb_reason());
  // The limits above were checked on the header's size; the decoder must agree.
  if (decoded_w != w || decoded_h != h)
    throw Error(caller + ": cannot decode '" + name + "': the header says " + std::to_string(w) + "x" +
                std::to_string(h) + ", the decoder gave " + std::to_string(decoded_w) + "x" +
                std::to_string(decoded_h));

  Image img;
  img.width = w;
  img.height = h;
  img.rgb.assign(decoded.get(), decoded.get() + static_cast<std::size_t>(pixels) * 3);
  return img;
}

}  // namespace

Image load_image(const std::string& path) {
  const std::vector<unsigned char> bytes = read_file(path);
  return decode(bytes.data(), bytes.size(), path, "load_image", kMaxImagePixels);
}

Image decode_image(const void* bytes, std::size_t size, const std::string& name, std::int64_t max_pixels) {
  return decode(static_cast<const unsigned char*>(bytes), size, name, "decode_image",
                std::min(max_pixels, kMaxImagePixels));
}

}  // namespace et
