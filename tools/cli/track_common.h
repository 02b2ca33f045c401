// What `track` and `eval` share: tracker options from the command line,
// result lines and speed figures.
#pragma once
#include <string>

#include "net/model.h"
#include "tools/cli/cli.h"
#include "tracker/track_sequence.h"
#include "tracker/tracker.h"

namespace et::cli {

// --mode (default: default_mode of the model) and --threshold (the center
// head's score threshold, default 0.2, or the corner head's confidence
// threshold, default 0).
TrackerOptions tracker_options(const Parsed& args, const Model& model);

// "x,y,w,h,score\n" with six decimals, the reference files' format.
std::string result_line(const TrackResult& r);

struct RunSpeed {
  double tracker_fps = 0;  // frames / (init + updates): crop, network and decode, not file decoding
  double network_fps = 0;  // updates / time in Network::run
};
RunSpeed run_speed(const SequenceRun& run);

// The per-update times of `run` as a table (median, mean and min in ms of
// the frame file's decoding, each step of update() and the whole update),
// the whole-tracker figures bench.md asks for; "" without updates.
std::string update_time_table(const SequenceRun& run);

// Shortest decimal that reads back as the same double ("0.725", "1e-05"),
// as JSON numbers; non-finite values (not JSON) become null.
std::string json_number(double v);

}  // namespace et::cli
