#include "tracker/image.h"

#include <cerrno>
#include <cstdio>
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

}  // namespace

Image load_image(const std::string& path) {
  const std::vector<unsigned char> bytes = read_file(path);
  if (bytes.empty()) throw Error("load_image: cannot decode '" + path + "': the file is empty");
  const int len = static_cast<int>(bytes.size());

  int w = 0, h = 0, channels = 0;
  if (!stbi_info_from_memory(bytes.data(), len, &w, &h, &channels))
    throw Error("load_image: cannot decode '" + path + "' (" + std::to_string(bytes.size()) +
                " bytes): " + stb_reason());
  if (w < 1 || h < 1 || w > kMaxImageSide || h > kMaxImageSide)
    throw Error("load_image: '" + path + "' is too large: got " + std::to_string(w) + "x" +
                std::to_string(h) + ", expected at most " + std::to_string(kMaxImageSide) + "x" +
                std::to_string(kMaxImageSide));

  // req_comp = 3: stb converts gray/gray+alpha/RGBA to RGB and 16-bit to 8-bit.
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(bytes.data(), len, &w, &h, &channels, 3), &stbi_image_free);
  if (!pixels)
    throw Error("load_image: cannot decode '" + path + "': " + stb_reason());

  Image img;
  img.width = w;
  img.height = h;
  img.rgb.assign(pixels.get(), pixels.get() + static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
  return img;
}

}  // namespace et
