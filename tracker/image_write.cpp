#include "tracker/image_write.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "weights/atomic_file.h"
#include "weights/error.h"

// The one translation unit that compiles stb_image_write. Its code is not
// held to this project's warning flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb_image_write.h>
#pragma GCC diagnostic pop

namespace et {
namespace {

void append(void* context, void* data, int size) {
  auto* out = static_cast<std::string*>(context);
  out->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

}  // namespace

void save_image(const Image& img, const std::string& path, int jpeg_quality) {
  const std::size_t expected = std::size_t{3} * static_cast<std::size_t>(std::max(img.width, 0)) *
                               static_cast<std::size_t>(std::max(img.height, 0));
  if (img.width < 1 || img.height < 1 || img.rgb.size() != expected)
    throw Error(path + ": cannot save an invalid image: got " + std::to_string(img.width) + "x" +
                std::to_string(img.height) + " with " + std::to_string(img.rgb.size()) + " samples, expected " +
                std::to_string(expected) + " samples and at least 1x1");
  if (jpeg_quality < 1 || jpeg_quality > 100)
    throw Error(path + ": JPEG quality: got " + std::to_string(jpeg_quality) + ", expected 1..100");
  const std::string ext = lower_extension(path);
  std::string bytes;
  int ok = 0;
  if (ext == ".png") {
    ok = stbi_write_png_to_func(append, &bytes, img.width, img.height, 3, img.rgb.data(), 3 * img.width);
  } else if (ext == ".jpg" || ext == ".jpeg") {
    ok = stbi_write_jpg_to_func(append, &bytes, img.width, img.height, 3, img.rgb.data(), jpeg_quality);
  } else {
    throw Error(path + ": image format: got extension '" + ext + "', expected .png, .jpg or .jpeg");
  }
  if (!ok) throw Error(path + ": stb_image_write could not encode the " + std::to_string(img.width) + "x" +
                       std::to_string(img.height) + " image");
  write_file_atomic(path, bytes);
}

}  // namespace et
