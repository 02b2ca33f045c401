// Running a Tracker over a whole sequence on disk: what `efficienttrack
// track`, `efficienttrack eval` and the parity tests share.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "tracker/image.h"
#include "tracker/sequence.h"
#include "tracker/tracker.h"

namespace et {

// A sequence folder: DIR/img/<frames> and, when present, DIR/groundtruth.txt.
struct Sequence {
  std::string name;                 // the folder's name
  std::string dir;
  std::vector<std::string> frames;  // list_frames(dir), sorted
  std::vector<BoxF> groundtruth;    // one row per frame; empty without groundtruth.txt
};

// Reads the frame list and (if the file exists) the ground truth.
Sequence open_sequence(const std::string& dir);

// Like open_sequence, but `list_file` is a text file naming one frame per
// line (relative names are relative to the list's folder; blank lines and
// lines starting with '#' are skipped); no ground truth is read.
Sequence open_frame_list(const std::string& list_file);

// The sequence folders under `data_dir` (sub-folders holding an img/
// folder), sorted by name. Throws et::Error if there are none.
std::vector<std::string> list_sequences(const std::string& data_dir);

// The init box of a sequence: its first ground-truth row. Throws et::Error
// naming the file if there is no ground truth or that row is absent.
BoxF first_groundtruth_box(const Sequence& sequence);

// The times of one update (one frame after the first), seconds.
struct UpdateTime {
  double load_s = 0;        // reading and decoding the frame file
  double preprocess_s = 0;  // update()'s steps, as TrackerTiming splits them
  double network_s = 0;
  double decode_s = 0;
  double update_s = 0;      // the whole Tracker::update
};

struct SequenceRun {
  // One entry per frame; frame 0 is the init box with score 1 and found,
  // as the reference files write it.
  std::vector<TrackResult> results;
  double load_s = 0;    // reading and decoding the frame files
  double init_s = 0;    // Tracker::init
  double update_s = 0;  // every Tracker::update together
  TrackerTiming timing; // update()'s steps
  std::vector<UpdateTime> update_times;  // one per update, in frame order
};

// Called after each frame with its 0-based index, the decoded frame and its result.
using FrameCallback = std::function<void(std::size_t index, const Image& frame, const TrackResult& result)>;

// init(frame 0, init_box), then update() on every further frame (at most
// max_frames frames in all; 0 means all). A frame that cannot be decoded is
// an et::Error naming the frame's path and index.
SequenceRun track_sequence(Tracker& tracker, const std::vector<std::string>& frames, const BoxF& init_box,
                           std::size_t max_frames = 0, const FrameCallback& on_frame = {});

}  // namespace et
