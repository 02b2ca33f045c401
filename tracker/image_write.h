// Image files, encoded with stb_image_write (Debian libstb) and written
// through write_file_atomic (weights/atomic_file.h): never half-written.
#pragma once
#include <string>

#include "tracker/image.h"

namespace et {

// PNG (lossless) or JPEG, chosen by the extension: .png, .jpg or .jpeg (any
// case); `jpeg_quality` 1..100. Throws et::Error for another extension, an
// invalid image, or a failed write.
void save_image(const Image& img, const std::string& path, int jpeg_quality = 90);

}  // namespace et
