// Output files that never appear half-written: each is written to a
// temporary file in the destination folder, then renamed over the target
// (rename is atomic within one file system). Images are encoded with
// stb_image_write (Debian libstb).
#pragma once
#include <string>

#include "tracker/image.h"

namespace et {

// Writes `bytes` to `path` through a temporary sibling file and rename().
// Throws et::Error naming the path (with the system's reason) when the
// folder is missing or not writable, or the disk is full; the temporary file
// is removed and an existing `path` is left as it was.
void write_file_atomic(const std::string& path, const std::string& bytes);

// PNG (lossless) or JPEG, chosen by the extension: .png, .jpg or .jpeg (any
// case); `jpeg_quality` 1..100. Throws et::Error for another extension, an
// invalid image, or a failed write.
void save_image(const Image& img, const std::string& path, int jpeg_quality = 90);

}  // namespace et
