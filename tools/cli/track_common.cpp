#include "tools/cli/track_common.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <utility>
#include <vector>

#include "weights/blob_format.h"
#include "weights/error.h"

namespace et::cli {

TrackerOptions tracker_options(const Parsed& args, const Model& model) {
  TrackerOptions options;
  options.mode = args.has("--mode") ? parse_mode(args.get("--mode"), "--mode") : default_mode(model.config());
  if (args.has("--threshold")) {
    const std::string text = args.get("--threshold");
    char* end = nullptr;
    const double t = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(t) || t < 0 || t > 1)
      throw Error("--threshold: got '" + text + "', expected a number in [0, 1]");
    if (model.config().head_kind == blob::kHeadCorner) options.corner_threshold = static_cast<float>(t);
    else options.score_threshold = static_cast<float>(t);
  }
  return options;
}

std::string result_line(const TrackResult& r) {
  char line[96];
  std::snprintf(line, sizeof line, "%d,%d,%d,%d,%.6f\n", r.box.x, r.box.y, r.box.w, r.box.h,
                static_cast<double>(r.score));
  return line;
}

RunSpeed run_speed(const SequenceRun& run) {
  RunSpeed s;
  const double tracker_s = run.init_s + run.update_s;
  if (tracker_s > 0) s.tracker_fps = static_cast<double>(run.results.size()) / tracker_s;
  if (run.timing.network_s > 0) s.network_fps = static_cast<double>(run.timing.updates) / run.timing.network_s;
  return s;
}

std::string update_time_table(const SequenceRun& run) {
  if (run.update_times.empty()) return "";
  const std::pair<const char*, double UpdateTime::*> steps[] = {
      {"frame file decode", &UpdateTime::load_s},   {"crop+resize+normalise", &UpdateTime::preprocess_s},
      {"network", &UpdateTime::network_s},          {"head decode", &UpdateTime::decode_s},
      {"update (all but the file)", &UpdateTime::update_s}};
  char header[128];
  std::snprintf(header, sizeof header, "%-38s %9s %9s %9s\n",
                ("per update (" + std::to_string(run.update_times.size()) + " updates), ms").c_str(), "median",
                "mean", "min");
  std::string table = header;
  std::vector<double> ms(run.update_times.size());
  for (const auto& [name, field] : steps) {
    for (std::size_t i = 0; i < ms.size(); ++i) ms[i] = run.update_times[i].*field * 1e3;
    const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
    std::nth_element(ms.begin(), ms.begin() + static_cast<std::ptrdiff_t>(ms.size() / 2), ms.end());
    const double median = ms[ms.size() / 2];
    const double min = *std::min_element(ms.begin(), ms.end());
    char line[128];
    std::snprintf(line, sizeof line, "  %-36s %9.3f %9.3f %9.3f\n", name, median, mean, min);
    table += line;
  }
  return table;
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace et::cli
