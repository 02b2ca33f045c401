#include "tracker/sequence.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "weights/error.h"

namespace et {

std::vector<std::string> list_frames(const std::string& sequence_dir) {
  namespace fs = std::filesystem;
  const fs::path img = fs::path(sequence_dir) / "img";
  std::error_code ec;
  if (!fs::is_directory(img, ec)) throw Error(img.string() + ": not a folder (expected the sequence's frames)");
  std::vector<std::string> frames;
  for (const auto& entry : fs::directory_iterator(img, ec)) {
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (entry.is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp"))
      frames.push_back(entry.path().string());
  }
  if (ec) throw Error(img.string() + ": cannot list: " + ec.message());
  if (frames.empty()) throw Error(img.string() + ": no frames (.jpg, .jpeg, .png or .bmp)");
  std::sort(frames.begin(), frames.end());
  return frames;
}

std::vector<BoxF> read_groundtruth(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw Error(path + ": cannot open ground truth: " + std::strerror(errno));
  std::string text;
  char chunk[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, f.get())) > 0) text.append(chunk, n);
  if (std::ferror(f.get())) throw Error(path + ": cannot read ground truth: " + std::strerror(errno));
  return parse_groundtruth(text, path);
}

std::vector<BoxF> parse_groundtruth(std::string_view text, const std::string& name) {
  constexpr std::size_t kQuotedBytes = 80;  // of a bad row, in the message
  std::vector<BoxF> rows;
  std::size_t blank_run = 0;
  std::size_t number = 0;
  for (std::size_t begin = 0; begin < text.size();) {
    const std::size_t newline = std::min(text.find('\n', begin), text.size());
    std::string line(text.substr(begin, newline - begin));
    begin = newline + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) {
      ++blank_run;
      continue;
    }
    if (blank_run > 0)
      throw Error(name + ":" + std::to_string(number - blank_run) + ": blank line before more rows");
    double v[4];
    const char* p = line.c_str();
    int count = 0;
    for (; count < 4; ++count) {
      while (*p == ' ' || *p == '\t' || (count > 0 && *p == ',')) ++p;
      char* end = nullptr;
      v[count] = std::strtod(p, &end);
      if (end == p) break;
      p = end;
    }
    while (*p == ' ' || *p == '\t') ++p;
    // p == end of the string, not merely a NUL: a NUL byte inside the row is junk too.
    if (count != 4 || p != line.c_str() + line.size()) {
      const std::string quoted =
          line.size() > kQuotedBytes ? printable(line.substr(0, kQuotedBytes)) + "..." : printable(line);
      throw Error(name + ":" + std::to_string(number) + ": got '" + quoted + "', expected 4 numbers x,y,w,h");
    }
    rows.push_back({v[0], v[1], v[2], v[3]});
  }
  if (rows.empty()) throw Error(name + ": no rows, expected one x,y,w,h per frame");
  return rows;
}

Box round_box(const BoxF& b, const std::string& where) {
  auto round_half_up = [](double v) { return static_cast<int>(std::floor(v + 0.5)); };
  char text[128];
  std::snprintf(text, sizeof text, "%g,%g,%g,%g", b.x, b.y, b.w, b.h);
  if (!(std::isfinite(b.x) && std::isfinite(b.y) && std::isfinite(b.w) && std::isfinite(b.h)) ||
      std::fabs(b.x) > 1e9 || std::fabs(b.y) > 1e9 || std::fabs(b.w) > 1e9 || std::fabs(b.h) > 1e9)
    throw Error(where + ": box is not finite or too large: got " + text + ", expected finite values within 1e9");
  Box r{round_half_up(b.x), round_half_up(b.y), round_half_up(b.w), round_half_up(b.h)};
  if (r.w < 1 || r.h < 1) {
    throw Error(where + ": box " + text + " rounds to w=" + std::to_string(r.w) + ", h=" + std::to_string(r.h) +
                ", expected w, h >= 1");
  }
  return r;
}

}  // namespace et
