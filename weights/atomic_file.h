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

// Fails now, with the error write_file_atomic(path, ...) would give, when
// `path` cannot be written: the temporary file cannot be made in its folder,
// or `path` is a folder. For outputs written after a long run (eval's JSON
// and plot, track's lines), so a typo does not cost the run.
void check_writable(const std::string& path);

}  // namespace et
