// A one-line progress bar with frames/s on stderr, drawn only when stderr is
// a terminal (so logs and pipes get no carriage returns).
#pragma once
#include <chrono>
#include <cstddef>
#include <string>

namespace et::cli {

class Progress {
 public:
  // `label` prefixes the bar; `total` frames are expected.
  Progress(std::string label, std::size_t total);
  ~Progress();  // ends the line if anything was drawn
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `done` frames finished; redraws at most ten times a second (and always
  // at the last frame).
  void update(std::size_t done);
  bool enabled() const { return enabled_; }

 private:
  std::string label_;
  std::size_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace et::cli
