#include "tracker/track_sequence.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "weights/error.h"

namespace et {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

Sequence open_sequence(const std::string& dir) {
  namespace fs = std::filesystem;
  Sequence s;
  s.dir = dir;
  s.name = fs::path(dir).lexically_normal().filename().string();
  if (s.name.empty()) s.name = fs::path(dir).lexically_normal().parent_path().filename().string();
  s.frames = list_frames(dir);
  const std::string gt = (fs::path(dir) / "groundtruth.txt").string();
  std::error_code ec;
  if (fs::exists(gt, ec)) s.groundtruth = read_groundtruth(gt);
  return s;
}

Sequence open_frame_list(const std::string& list_file) {
  namespace fs = std::filesystem;
  std::ifstream in(list_file);
  if (!in) throw Error(list_file + ": cannot open the frame list");
  Sequence s;
  s.dir = fs::path(list_file).parent_path().string();
  s.name = fs::path(list_file).stem().string();
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto last = line.find_last_not_of(" \t");
    const fs::path frame = line.substr(first, last - first + 1);
    s.frames.push_back(frame.is_absolute() ? frame.string() : (fs::path(s.dir) / frame).string());
  }
  if (s.frames.empty()) throw Error(list_file + ": no frames listed, expected one image path per line");
  return s;
}

std::vector<std::string> list_sequences(const std::string& data_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec)) throw Error(data_dir + ": not a folder (expected one sub-folder per sequence)");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(data_dir, ec))
    if (fs::is_directory(entry.path() / "img", ec)) names.push_back(entry.path().filename().string());
  if (ec) throw Error(data_dir + ": cannot list: " + ec.message());
  if (names.empty()) throw Error(data_dir + ": no sequences (sub-folders with an img/ folder)");
  std::sort(names.begin(), names.end());
  return names;
}

BoxF first_groundtruth_box(const Sequence& sequence) {
  const std::string gt = (std::filesystem::path(sequence.dir) / "groundtruth.txt").string();
  if (sequence.groundtruth.empty()) throw Error(gt + ": no ground truth, so no init box (give one explicitly)");
  const BoxF& b = sequence.groundtruth.front();
  if (!b.present()) {
    char row[96];
    std::snprintf(row, sizeof row, "%g,%g,%g,%g", b.x, b.y, b.w, b.h);
    throw Error(gt + ":1: the first row marks the target absent: got " + row +
                ", expected a box with w, h > 0 to initialise the tracker with");
  }
  return b;
}

SequenceRun track_sequence(Tracker& tracker, const std::vector<std::string>& frames, const BoxF& init_box,
                           std::size_t max_frames, const FrameCallback& on_frame) {
  if (frames.empty()) throw Error("track_sequence: got 0 frames, expected at least 1");
  const std::size_t n = max_frames == 0 ? frames.size() : std::min(max_frames, frames.size());
  SequenceRun run;
  run.results.reserve(n);
  run.update_times.reserve(n - 1);
  tracker.reset_timing();
  for (std::size_t i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    Image frame;
    try {
      frame = load_image(frames[i]);
    } catch (const Error& e) {
      throw Error("frame " + std::to_string(i + 1) + ": " + e.what());
    }
    const auto t1 = Clock::now();
    run.load_s += seconds(t0, t1);
    TrackResult r;
    if (i == 0) {
      tracker.init(frame, init_box);
      r = {tracker.box(), 1.f, true};
      run.init_s += seconds(t1, Clock::now());
    } else {
      const TrackerTiming before = tracker.timing();
      r = tracker.update(frame);
      const double update_s = seconds(t1, Clock::now());
      run.update_s += update_s;
      const TrackerTiming& after = tracker.timing();
      run.update_times.push_back({seconds(t0, t1), after.preprocess_s - before.preprocess_s,
                                  after.network_s - before.network_s, after.decode_s - before.decode_s, update_s});
    }
    run.results.push_back(r);
    if (on_frame) on_frame(i, frame, r);
  }
  run.timing = tracker.timing();
  return run;
}

}  // namespace et
