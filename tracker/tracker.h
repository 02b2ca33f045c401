// The tracking loop of tracker.md: init(frame, box) once, then
// update(frame) -> (box, score, found) per frame, OpenCV TrackerVit
// semantics by default.
//
// Center-head models (vittrack-zoo and the `-center` configs): steps 5-6,
// the Hann-windowed score argmax (decode_center). Corner-head models (the
// `-corner` configs): step 7, the network's soft-argmax corners mapped back
// like the center head's box (decode_corner), no window; the score is the
// network's confidence (product of the two maps' peak probabilities) and by
// default every box is accepted (corner_threshold 0), as corner-head
// trackers follow their prediction every frame.
//
// One Model (read-only weights) may be shared by any number of Trackers;
// each Tracker owns its Network (activation arena, cached template
// embedding), its input buffer and its preprocessing scratch, all sized at
// construction, so update() allocates nothing once the first update has
// run. A Tracker is not thread-safe itself: one per thread (or per target).
//
// Defined behaviour for the edge cases tracker.md lists (each has a test in
// tests/test_tracker.cpp):
// - init box partly outside the frame: accepted; pixels outside are black.
// - init box wholly outside the frame, or with w or h < 1 (after rounding
//   half up): et::Error, the tracker stays uninitialised.
// - boxes of width or height 1: accepted (crop side ceil(sqrt(w*h)*factor)).
// - frames smaller than the crop: the crop is padded with black.
// - a search window that misses the frame entirely (the target left the
//   frame, or the frame shrank): the network is not run; the previous box is
//   kept, score 0, found false. (OpenCV's crop_image would throw here.)
// - a decoded box with w or h < 1, or one whose next search window would not
//   fit in int coordinates: treated as not found (previous box kept, score
//   reported, found false), so the next crop is always well defined. (OpenCV
//   keeps the degenerate box and its next update throws.)
// - the frame size may change between frames: boxes stay in pixel
//   coordinates of whatever frame is passed; nothing is rescaled.
// - grayscale, RGBA, 16-bit and CMYK files: load_image() turns every one
//   into 8-bit RGB (see tracker/image.h), so the tracker only sees RGB.
// - an Image whose sample count does not match its size, update() before
//   init(): et::Error.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/model.h"
#include "tracker/box.h"
#include "tracker/decode.h"
#include "tracker/image.h"
#include "tracker/preprocess.h"
#include "tracker/sequence.h"

namespace et {

// opencv: what OpenCV's TrackerVit does (BGR planes with RGB-ordered
//   constants, the right/bottom pad quirk blanking the last real column/row).
// correct: RGB planes, only pixels outside the frame are black.
// Both use the fixed-point resize, integer boxes and the same decode.
enum class TrackerMode { opencv, correct };

std::string mode_name(TrackerMode mode);  // "opencv" / "correct"
// Throws et::Error "<what>: got 'x', expected opencv or correct".
TrackerMode parse_mode(const std::string& text, const std::string& what);
// opencv for vittrack-zoo (trained and deployed through OpenCV), correct for
// the families trained in PyTorch on RGB input.
TrackerMode default_mode(const ModelConfig& config);

struct TrackerOptions {
  TrackerMode mode = TrackerMode::opencv;
  float score_threshold = kDefaultScoreThreshold;  // center head: found = windowed max >= this
  float corner_threshold = 0.f;                    // corner head: found = confidence >= this
  double template_factor = 2.0;                    // template crop side / sqrt(w*h)
  double search_factor = 4.0;                      // search crop side / sqrt(w*h)
};

struct TrackResult {
  Box box;          // the new box, or the previous one when !found
  // center head: windowed maximum of the score map; corner head: the
  // network's confidence; 0 when the network was not run.
  float score = 0;
  bool found = false;
};

// Cumulative wall time of update()'s steps since construction or
// reset_timing(); init() is not counted.
struct TrackerTiming {
  std::uint64_t updates = 0;
  double preprocess_s = 0;  // crop + resize + normalise
  double network_s = 0;     // Network::run
  double decode_s = 0;      // window, argmax, box (center); mapping the corners back (corner)
};

// update()'s last step: the decoded box becomes the new box only if it was
// found (score >= threshold) and the next update can crop around it (w, h >=
// 1 and a search window within int coordinates); otherwise the result keeps
// `last` with found = false. The score is passed through either way.
TrackResult accept_decoded(const DecodeResult& decoded, const Box& last, double search_factor);

class Tracker {
 public:
  // Throws et::Error if an option is out of range (a threshold not finite,
  // a factor <= 0).
  explicit Tracker(std::shared_ptr<const Model> model, TrackerOptions options = {});

  // Crops the template around `box` (factor 2), runs the template-only part
  // of the network once, and makes `box` the last box.
  void init(const Image& frame, const Box& box);
  // Rounds each coordinate half up first (OpenCV boxes are integers).
  void init(const Image& frame, const BoxF& box);

  TrackResult update(const Image& frame);

  bool initialized() const { return initialized_; }
  const Box& box() const { return last_; }  // the last box (init's or update's)
  const TrackerOptions& options() const { return options_; }
  const Model& model() const { return *model_; }
  const TrackerTiming& timing() const { return timing_; }
  void reset_timing() { timing_ = {}; }

 private:
  std::shared_ptr<const Model> model_;
  std::unique_ptr<Network> net_;
  HeadKind head_ = HeadKind::center;
  TrackerOptions options_;
  EdgeMode edge_;
  ChannelOrder order_;
  int template_size_ = 0, search_size_ = 0;
  std::vector<float> input_;  // [3, side, side]: the template at init, then each search crop
  PreprocessScratch scratch_;
  Box last_;
  bool initialized_ = false;
  TrackerTiming timing_;
};

}  // namespace et
