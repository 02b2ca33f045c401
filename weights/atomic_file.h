// Output files that never appear half-written: the bytes go to a temporary
// sibling file, then rename() puts it in place (atomic within one file
// system). Every file the project writes goes through it: blobs, track and
// eval outputs, images.
#pragma once
#include <string>
#include <string_view>

namespace et {

// Writes `bytes` to `path` through `.<name>.tmp.<pid>` in the same folder and
// rename(). Throws et::Error naming the path (with the system's reason) when
// the folder is missing or not writable, or the disk is full; the temporary
// file is removed and an existing `path` is left as it was.
void write_file_atomic(const std::string& path, std::string_view bytes);

}  // namespace et
