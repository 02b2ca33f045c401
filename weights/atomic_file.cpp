#include "weights/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "weights/error.h"

namespace et {

namespace {

std::filesystem::path temporary_sibling(const std::filesystem::path& target) {
  return target.parent_path() / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()));
}

}  // namespace

void check_writable(const std::string& path) {
  const std::filesystem::path target(path), temp = temporary_sibling(target);
  std::FILE* f = std::fopen(temp.c_str(), "wb");
  if (f == nullptr) throw Error(path + ": cannot write: " + std::strerror(errno));
  std::fclose(f);
  std::remove(temp.c_str());
  std::error_code ec;
  if (std::filesystem::is_directory(target, ec))
    throw Error(path + ": cannot replace with the new file: " + std::strerror(EISDIR));
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  const std::filesystem::path target(path), temp = temporary_sibling(target);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(temp.c_str(), "wb"), &std::fclose);
  if (!f) throw Error(path + ": cannot write: " + std::strerror(errno));
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f.get()) == bytes.size() && std::fflush(f.get()) == 0;
  const int saved = errno;
  const bool closed = std::fclose(f.release()) == 0;
  if (!written || !closed) {
    std::remove(temp.c_str());
    throw Error(path + ": cannot write: " + std::strerror(written ? errno : saved));
  }
  if (std::rename(temp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    std::remove(temp.c_str());
    throw Error(path + ": cannot replace with the new file: " + std::strerror(err));
  }
}

}  // namespace et
