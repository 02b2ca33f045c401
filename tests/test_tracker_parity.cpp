// Parity of the whole tracking loop with the independent reference
// implementation (../shared/reference/reftrack-stb): OpenCV-compatible mode,
// frames decoded with stb_image, vittrack-zoo. Every box must be equal,
// coordinate for coordinate, on every frame; scores within 1e-4.
//
// The short case (a few frames) runs in about a second; the six
// "parity (long)" cases cover every frame of every sequence, one CTest test
// per sequence, so they run in parallel and a failure names its sequence.
// The long cases run the network on one OpenMP thread: `ctest -j2` runs two
// of them at once, and two 2-thread OpenMP teams on two cores spin against
// each other (results are bit-identical for any thread count).
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "net/model.h"
#include "tests/test_util.h"
#include "tracker/track_sequence.h"
#include "tracker/tracker.h"
#include "weights/error.h"

namespace et {
namespace {

const std::string kShared = ET_TEST_SHARED_DIR;

struct ReferenceRow {
  Box box;
  double score = 0;
};

std::vector<ReferenceRow> read_reference(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  std::vector<ReferenceRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ReferenceRow r;
    char tail = 0;
    REQUIRE_MESSAGE(std::sscanf(line.c_str(), "%d,%d,%d,%d,%lf%c", &r.box.x, &r.box.y, &r.box.w, &r.box.h,
                                &r.score, &tail) == 5,
                    path << ": bad line '" << line << "'");
    rows.push_back(r);
  }
  return rows;
}

std::string box_text(const Box& b) {
  return std::to_string(b.x) + "," + std::to_string(b.y) + "," + std::to_string(b.w) + "," + std::to_string(b.h);
}

struct ParityReport {
  std::size_t frames = 0, matched = 0;  // matched: frames before the first mismatch
  std::string first_mismatch;           // empty when every frame matched
};

// Tracks `name` (at most max_frames frames, 0 = all) and compares with the
// reference file frame by frame, stopping at the first difference.
ParityReport run_parity(const std::string& name, std::size_t max_frames) {
  const Sequence seq = open_sequence(kShared + "/sequences/" + name);
  const std::vector<ReferenceRow> ref = read_reference(kShared + "/reference/reftrack-stb/" + name + ".txt");
  REQUIRE(ref.size() == seq.frames.size());
  Tracker tracker(Model::load(ET_TEST_ZOO_BLOB), TrackerOptions{TrackerMode::opencv});
  const SequenceRun run = track_sequence(tracker, seq.frames, first_groundtruth_box(seq), max_frames);
  ParityReport report;
  report.frames = run.results.size();
  for (std::size_t i = 0; i < run.results.size(); ++i) {
    const TrackResult& got = run.results[i];
    const ReferenceRow& want = ref[i];
    if (got.box != want.box || std::fabs(static_cast<double>(got.score) - want.score) > 1e-4) {
      std::ostringstream os;
      os.precision(6);
      os << std::fixed << name << " frame " << (i + 1) << " (" << seq.frames[i] << "): got " << box_text(got.box)
         << " score " << got.score << ", expected " << box_text(want.box) << " score " << want.score
         << " (reftrack-stb); frames 1.." << i << " matched";
      report.first_mismatch = os.str();
      return report;
    }
    ++report.matched;
  }
  return report;
}

// ET_TEST_REDUCED (the sanitizer builds): a long case checks the first
// kReducedFrames frames of its sequence only.
constexpr std::size_t kReducedFrames = 20;

void check_sequence(const std::string& name, std::size_t max_frames) {
  if (max_frames == 0) omp_set_num_threads(1);
  if (max_frames == 0 && test::reduced_run()) max_frames = kReducedFrames;
  const ParityReport r = run_parity(name, max_frames);
  INFO(r.first_mismatch);
  CHECK(r.first_mismatch.empty());
  CHECK(r.matched == r.frames);
  MESSAGE(name << ": " << r.matched << " of " << r.frames << " frames equal to reftrack-stb");
}

}  // namespace

TEST_CASE("tracker parity: the first 12 frames of otb_Crossing equal reftrack-stb box for box") {
  check_sequence("otb_Crossing", 12);
}

TEST_CASE("tracker parity (long): otb_Crossing, every frame equals reftrack-stb") { check_sequence("otb_Crossing", 0); }
TEST_CASE("tracker parity (long): otb_Couple, every frame equals reftrack-stb") { check_sequence("otb_Couple", 0); }
TEST_CASE("tracker parity (long): otb_Football1, every frame equals reftrack-stb") {
  check_sequence("otb_Football1", 0);
}
TEST_CASE("tracker parity (long): otb_Girl, every frame equals reftrack-stb") { check_sequence("otb_Girl", 0); }
TEST_CASE("tracker parity (long): vot2015_bag, every frame equals reftrack-stb") { check_sequence("vot2015_bag", 0); }
TEST_CASE("tracker parity (long): uav123_10fps_wakeboard7, every frame equals reftrack-stb") {
  check_sequence("uav123_10fps_wakeboard7", 0);
}

}  // namespace et
