// `efficienttrack track` and `efficienttrack eval`: outputs, options,
// error messages and the data-folder override. Each runs a few frames only.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_util.h"
#include "tracker/image.h"

namespace et {
namespace {

namespace fs = std::filesystem;

const std::string kShared = ET_TEST_SHARED_DIR;
const std::string kZoo = std::string("'") + ET_TEST_ZOO_BLOB + "'";

struct Result {
  int status = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs the CLI with `args`; `env` is prepended to the command line (VAR=value ...).
Result cli(const std::string& args, const std::string& env = "") {
  static int counter = 0;
  const std::string err_file = test::temp_dir("cli-stderr-" + std::to_string(counter++)) + "/stderr.txt";
  const std::string command = env + " '" + std::string(ET_TEST_CLI) + "' " + args + " 2>'" + err_file + "'";
  Result r;
  std::FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.err = read_text(err_file);
  return r;
}

std::vector<std::string> lines_of(const std::string& text, std::size_t max = 1000000) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string line;
  while (lines.size() < max && std::getline(ss, line)) lines.push_back(line);
  return lines;
}

// Result lines x,y,w,h,score: "" when the boxes are equal and the scores
// within 1e-4 on every line, else the first difference.
std::string compare_results(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  if (got.size() != want.size())
    return "got " + std::to_string(got.size()) + " lines, expected " + std::to_string(want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    int g[4], w[4];
    double gs = 0, ws = 0;
    const bool ok = std::sscanf(got[i].c_str(), "%d,%d,%d,%d,%lf", &g[0], &g[1], &g[2], &g[3], &gs) == 5 &&
                    std::sscanf(want[i].c_str(), "%d,%d,%d,%d,%lf", &w[0], &w[1], &w[2], &w[3], &ws) == 5;
    if (!ok || g[0] != w[0] || g[1] != w[1] || g[2] != w[2] || g[3] != w[3] || std::fabs(gs - ws) > 1e-4)
      return "line " + std::to_string(i + 1) + ": got '" + got[i] + "', expected '" + want[i] + "'";
  }
  return "";
}

// A data folder holding one sequence made of the first `frames` frames of
// otb_Crossing, with the given ground-truth text.
std::string make_data(const std::string& tag, int frames, const std::string& groundtruth) {
  const std::string data = test::temp_dir(tag);
  const fs::path img = fs::path(data) / "tiny" / "img";
  fs::create_directories(img);
  for (int i = 1; i <= frames; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%08d.jpg", i);
    fs::copy_file(fs::path(kShared) / "sequences/otb_Crossing/img" / name, img / name);
  }
  std::ofstream(fs::path(data) / "tiny" / "groundtruth.txt") << groundtruth;
  return data;
}

}  // namespace

TEST_CASE("cli track: the first frames of otb_Crossing equal reftrack-stb's lines (scores within 1e-4)") {
  const std::string dir = test::temp_dir("cli-track");
  const Result r = cli("track --model " + kZoo + " --sequence " + kShared + "/sequences/otb_Crossing --frames 4 --out " +
                       dir + "/results.txt");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.empty());
  const auto want = lines_of(read_text(kShared + "/reference/reftrack-stb/otb_Crossing.txt"), 4);
  CHECK(compare_results(lines_of(read_text(dir + "/results.txt")), want) == "");
  CHECK(lines_of(read_text(dir + "/results.txt"))[1] == "202,151,20,48,0.626493");
  CHECK(r.err.find("tracked 4 frames (4 found), mode opencv: ") != std::string::npos);
  CHECK(r.err.find('\r') == std::string::npos);  // no progress bar when stderr is not a terminal
  // The whole-tracker figures, one row per step: median, mean, min (ms).
  const std::size_t table = r.err.find("per update (3 updates), ms");
  REQUIRE(table != std::string::npos);
  std::vector<std::array<double, 3>> rows;
  for (const char* step : {"frame file decode", "crop+resize+normalise", "network", "head decode",
                           "update (all but the file)"}) {
    const std::size_t at = r.err.find("\n  " + std::string(step) + " ", table);
    REQUIRE_MESSAGE(at != std::string::npos, step);
    std::array<double, 3> v{};
    REQUIRE(std::sscanf(r.err.c_str() + at + 3 + std::strlen(step), "%lf %lf %lf", &v[0], &v[1], &v[2]) == 3);
    CHECK(v[2] >= 0);     // min (a head decode of microseconds prints as 0.000)
    CHECK(v[2] <= v[0]);  // min <= median
    CHECK(v[2] <= v[1]);  // min <= mean
    rows.push_back(v);
  }
  CHECK(rows[2][2] > 0);
  CHECK(rows[4][2] >= rows[2][2]);  // an update takes at least its network
  // Without --out the lines go to stdout.
  const Result s = cli("track --model " + kZoo + " --sequence " + kShared + "/sequences/otb_Crossing --frames 2");
  CHECK(compare_results(lines_of(s.out), std::vector<std::string>(want.begin(), want.begin() + 2)) == "");
}

TEST_CASE("cli track: --overlay writes drawn frames and a contact sheet") {
  const std::string dir = test::temp_dir("cli-overlay");
  const Result r = cli("track --model " + kZoo + " --sequence " + kShared + "/sequences/otb_Girl --frames 3 --overlay " +
                       dir + "/ov");
  INFO(r.err);
  REQUIRE(r.status == 0);
  for (const char* name : {"00000001.jpg", "00000002.jpg", "00000003.jpg"}) {
    CAPTURE(name);
    const Image img = load_image(dir + "/ov/" + name);
    CHECK(img.width == 128);
    CHECK(img.height == 96);
  }
  const Image frame = load_image(kShared + "/sequences/otb_Girl/img/00000001.jpg");
  CHECK(load_image(dir + "/ov/00000001.jpg").rgb != frame.rgb);  // something was drawn
  const Image sheet = load_image(dir + "/ov/contact_sheet.png");
  CHECK(sheet.width == 8 + 3 * (320 + 8));  // three thumbnails in one row
  CHECK(r.err.find("overlay: 3 frames and " + dir + "/ov/contact_sheet.png") != std::string::npos);
}

TEST_CASE("cli track: --init, frame lists, modes, and clear errors") {
  const std::string dir = test::temp_dir("cli-track-list");
  std::ofstream(dir + "/frames.txt") << kShared << "/sequences/otb_Crossing/img/00000001.jpg\n"
                                     << kShared << "/sequences/otb_Crossing/img/00000002.jpg\n";
  Result r = cli("track --model " + kZoo + " --sequence " + dir + "/frames.txt --init 205,151,17,50");
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(lines_of(r.out) == std::vector<std::string>{"205,151,17,50,1.000000", "202,151,20,48,0.626493"});
  r = cli("track --model " + kZoo + " --sequence " + dir + "/frames.txt --init 205,151,17,50 --mode correct");
  CHECK(r.status == 0);
  CHECK(r.err.find("mode correct") != std::string::npos);

  r = cli("track --model " + kZoo + " --sequence " + dir + "/frames.txt");
  CHECK(r.status == 1);
  CHECK(r.err == "efficienttrack track: error: " + dir + "/groundtruth.txt: no ground truth, so no init box (give one "
                 "explicitly)\n");
  r = cli("track --model " + kZoo);
  CHECK(r.err == "efficienttrack track: error: --sequence: missing, expected a sequence folder (DIR/img/...) or a "
                 "text file listing frames\n");
  r = cli("track --model " + kZoo + " --sequence " + dir + "/frames.txt --init 1,2,3");
  CHECK(r.err == "efficienttrack track: error: --init: got '1,2,3', expected x,y,w,h\n");
  r = cli("track --model " + kZoo + " --sequence " + dir + "/frames.txt --init 1,2,3,4 --mode rgb");
  CHECK(r.err == "efficienttrack track: error: --mode: got 'rgb', expected opencv or correct\n");
  r = cli("track --model " + kZoo + " --sequence " + dir + "/frames.txt --init 1,2,3,4 --threshold 2");
  CHECK(r.err == "efficienttrack track: error: --threshold: got '2', expected a number in [0, 1]\n");
  r = cli("track --model " + kZoo + " --sequence " + dir + "/frames.txt --init 1000,2,3,4");
  CHECK(r.err == "efficienttrack track: error: Tracker::init: box 1000,2,3,4 lies wholly outside the 360x240 frame, "
                 "expected it to overlap the frame\n");
  // A corner-head config with seeded random weights: correct mode by default.
  r = cli("track --model vit-d1-c64-standard-corner --seed 3 --sequence " + dir + "/frames.txt --init 205,151,17,50");
  CHECK(r.status == 0);
  CHECK(lines_of(r.out).size() == 2);
  CHECK(r.err.find("mode correct") != std::string::npos);
  r = cli("track --model " + kZoo + " --seed 3 --sequence " + dir + "/frames.txt --init 205,151,17,50");
  CHECK(r.status == 1);
  CHECK(r.err.starts_with("efficienttrack track: error: --seed: applies to config names"));
  r = cli("track --help");
  CHECK(r.status == 0);
  CHECK(r.out.starts_with("usage: efficienttrack track [options]"));
  for (const char* option : {"--model M", "--sequence DIR", "--init x,y,w,h", "--out FILE", "--overlay DIR", "--mode MODE"})
    CHECK(r.out.find(option) != std::string::npos);
}

TEST_CASE("cli eval: table, JSON with fractions in [0, 1], and the plot") {
  const std::string dir = test::temp_dir("cli-eval");
  const Result r = cli("eval --model " + kZoo + " --data " + kShared + "/sequences --sequences otb_Girl,otb_Crossing "
                       "--frames 3 --json " + dir + "/out.json --plot " + dir + "/plot.png --results " + dir + "/res");
  INFO(r.err);
  INFO(r.out);
  REQUIRE(r.status == 0);
  const auto table = lines_of(r.out);
  REQUIRE(table.size() == 6);
  CHECK(table[0].starts_with("model " + std::string(ET_TEST_ZOO_BLOB) + " ("));
  CHECK(table[0].find("mode opencv, absent frames: pytracking") != std::string::npos);
  CHECK(table[1].starts_with("sequence                    frames     AUC  Prec@20  NPrec@0.2      fps  net fps"));
  CHECK(table[2].starts_with("otb_Girl                         3 "));  // the order given
  CHECK(table[3].starts_with("otb_Crossing                     3 "));
  CHECK(table[4].starts_with("mean                             6 "));
  const std::string json = read_text(dir + "/out.json");
  CHECK(json.starts_with("{\"model\": \"" + std::string(ET_TEST_ZOO_BLOB) + "\", \"mode\": \"opencv\", "
                         "\"sequences\": {\"otb_Girl\": {\"frames\": 3, \"auc\": "));
  CHECK(json.find("}, \"otb_Crossing\": {\"frames\": 3, \"auc\": ") != std::string::npos);
  CHECK(json.find("}}, \"mean\": {\"frames\": 6, \"auc\": ") != std::string::npos);
  // Every metric is a fraction.
  for (const std::string key : {"\"auc\": ", "\"precision\": ", "\"norm_precision\": "}) {
    for (std::size_t at = json.find(key); at != std::string::npos; at = json.find(key, at + 1)) {
      const double v = std::strtod(json.c_str() + at + key.size(), nullptr);
      CHECK(v >= 0.0);
      CHECK(v <= 1.0);
    }
  }
  const Image plot = load_image(dir + "/plot.png");
  CHECK(plot.width == 1520);
  CHECK(compare_results(lines_of(read_text(dir + "/res/otb_Crossing.txt")),
                        lines_of(read_text(kShared + "/reference/reftrack-stb/otb_Crossing.txt"), 3)) == "");
}

TEST_CASE("cli eval: absent ground truth, pytracking excludes the frame, --absent lasot counts it as a failure") {
  const std::string data = make_data("cli-eval-absent", 4, "205,151,17,50\n202,150,19,49\nnan,nan,nan,nan\n198,150,20,48\n");
  const std::string dir = test::temp_dir("cli-eval-absent-out");
  Result r = cli("eval --model " + kZoo + " --data " + data + " --json " + dir + "/py.json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(read_text(dir + "/py.json").find("\"tiny\": {\"frames\": 4, \"auc\": ") != std::string::npos);
  CHECK(read_text(dir + "/py.json").find("\"precision\": 1, \"norm_precision\": 1,") != std::string::npos);
  r = cli("eval --model " + kZoo + " --data " + data + " --absent lasot --json " + dir + "/lasot.json");
  REQUIRE(r.status == 0);
  CHECK(read_text(dir + "/lasot.json").find("\"precision\": 0.75, \"norm_precision\": 0.75,") != std::string::npos);
  CHECK(r.out.find("absent frames: lasot") != std::string::npos);
}

TEST_CASE("cli eval: the data folder defaults to $ET_SHARED_DIR/sequences") {
  const std::string shared = test::temp_dir("cli-eval-shared");
  const std::string data = make_data("cli-eval-shared-data", 2, "205,151,17,50\n202,150,19,49\n");
  fs::rename(data, shared + "/sequences");
  const Result r = cli("eval --model " + kZoo, "ET_SHARED_DIR='" + shared + "'");
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("data " + shared + "/sequences\n") != std::string::npos);
  CHECK(r.out.find("\ntiny ") != std::string::npos);
}

TEST_CASE("cli eval: clear errors for unknown sequences, ground-truth length and output paths") {
  const std::string dir = test::temp_dir("cli-eval-errors");
  Result r = cli("eval --model " + kZoo + " --data " + kShared + "/sequences --sequences otb_Girl,nope");
  CHECK(r.status == 1);
  CHECK(r.err == "efficienttrack eval: error: --sequences: got 'nope', expected a sequence under " + kShared +
                 "/sequences (otb_Couple, otb_Crossing, otb_Football1, otb_Girl, uav123_10fps_wakeboard7, vot2015_bag)\n");
  const std::string short_gt = make_data("cli-eval-short", 3, "205,151,17,50\n202,150,19,49\n");
  r = cli("eval --model " + kZoo + " --data " + short_gt);
  CHECK(r.err == "efficienttrack eval: error: " + short_gt + "/tiny/groundtruth.txt: got 2 rows for 3 frames in " +
                 short_gt + "/tiny/img, expected one row per frame\n");
  const std::string absent_first = make_data("cli-eval-absent-first", 2, "0,0,0,0\n202,150,19,49\n");
  r = cli("eval --model " + kZoo + " --data " + absent_first);
  CHECK(r.err == "efficienttrack eval: error: " + absent_first +
                 "/tiny/groundtruth.txt:1: the first row marks the target absent: got 0,0,0,0, expected a box with "
                 "w, h > 0 to initialise the tracker with\n");
  r = cli("eval --model " + kZoo + " --data " + kShared + "/sequences --sequences otb_Girl --frames 2 --json " + dir +
          "/no/such/dir/out.json");
  CHECK(r.status == 1);
  CHECK(r.err == "efficienttrack eval: error: " + dir + "/no/such/dir/out.json: cannot write: No such file or directory\n");
  r = cli("eval --model " + kZoo + " --absent otb");
  CHECK(r.err == "efficienttrack eval: error: --absent: got 'otb', expected pytracking or lasot\n");
  r = cli("eval --help");
  CHECK(r.status == 0);
  for (const char* option : {"--model M", "--data DIR", "--sequences a,b", "--json FILE", "--plot FILE", "--absent RULE"})
    CHECK(r.out.find(option) != std::string::npos);
}

}  // namespace et

// ---- bad input at the command line ------------------------------------------
namespace et {
namespace {

// The names in `dir`, sorted: what a failed run left behind.
std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("cli bad input: unknown flags, stray words, missing and malformed values") {
  const std::string seq = kShared + "/sequences/otb_Crossing";
  Result r = cli("track --sequence " + seq + " --bogus");
  CHECK(r.status == 1);
  CHECK(r.err == "efficienttrack track: error: track: unknown option '--bogus' (see efficienttrack track --help)\n");
  r = cli("track --sequence " + seq + " stray");
  CHECK(r.err == "efficienttrack track: error: track: unknown option 'stray' (see efficienttrack track --help)\n");
  r = cli("track --sequence " + seq + " --frames");
  CHECK(r.err == "efficienttrack track: error: --frames: missing value N\n");
  r = cli("track --help=yes");
  CHECK(r.err == "efficienttrack track: error: --help: takes no value\n");
  r = cli("track --sequence " + seq + " --frames -1");
  CHECK(r.err == "efficienttrack track: error: --frames: got '-1', expected an integer in [0, 100000000]\n");
  r = cli("track --sequence " + seq + " --frames 2x");
  CHECK(r.err == "efficienttrack track: error: --frames: got '2x', expected an integer in [0, 100000000]\n");
  r = cli("track --sequence " + seq + " --init 1,2,3,4,5");
  CHECK(r.err == "efficienttrack track: error: --init: got '1,2,3,4,5', expected x,y,w,h\n");
  r = cli("track --sequence " + seq + " --init nan,2,3,4 --frames 1");
  CHECK(r.err == "efficienttrack track: error: Tracker::init: box: box is not finite or too large: got nan,2,3,4, "
                 "expected finite values within 1e9\n");
  r = cli("track --sequence " + seq + " --model /nonexistent-et/m.etb");
  CHECK(r.err == "efficienttrack track: error: /nonexistent-et/m.etb: cannot open weight blob: No such file or directory\n");
  r = cli("eval --frames");
  CHECK(r.err == "efficienttrack eval: error: --frames: missing value N\n");
  r = cli("bench --runs 0");
  CHECK(r.err == "efficienttrack bench: error: --runs: got '0', expected an integer in [1, 1000000]\n");
  CHECK(r.out.empty());
}

TEST_CASE("cli bad input: unwritable output paths are named, and nothing is left half-written") {
  const std::string dir = test::temp_dir("cli-bad-out");
  const std::string seq = kShared + "/sequences/otb_Crossing";
  const std::string run = "track --model " + kZoo + " --sequence " + seq + " --frames 2 ";
  // A folder that does not exist.
  Result r = cli(run + "--out " + dir + "/no/such/out.txt");
  CHECK(r.status == 1);
  CHECK(r.err == "efficienttrack track: error: " + dir + "/no/such/out.txt: cannot write: No such file or directory\n");
  CHECK(r.out.empty());
  // A folder where the file should go: the temporary file is removed again.
  fs::create_directories(dir + "/taken");
  r = cli(run + "--out " + dir + "/taken");
  CHECK(r.err == "efficienttrack track: error: " + dir + "/taken: cannot replace with the new file: Is a directory\n");
  CHECK(entries(dir) == std::vector<std::string>{"taken"});
  // A path below a regular file.
  std::ofstream(dir + "/file") << "x";
  r = cli(run + "--out " + dir + "/file/out.txt");
  CHECK(r.err == "efficienttrack track: error: " + dir + "/file/out.txt: cannot write: Not a directory\n");
  r = cli(run + "--overlay " + dir + "/file/overlay");
  CHECK(r.err == "efficienttrack track: error: --overlay: cannot create folder '" + dir +
                 "/file/overlay': Not a directory\n");
  r = cli("eval --model " + kZoo + " --data " + kShared + "/sequences --sequences otb_Girl --frames 2 --results " + dir +
          "/file");
  CHECK(r.err == "efficienttrack eval: error: --results: cannot create folder '" + dir + "/file': Not a directory\n");
  // eval writes its JSON and plot after every sequence: it checks them before
  // the first (nothing on stdout, not even the table's header; no --frames:
  // a late check would first track all of otb_Girl).
  r = cli("eval --model " + kZoo + " --data " + kShared + "/sequences --sequences otb_Girl --plot " + dir + "/no/plot.png");
  CHECK(r.err == "efficienttrack eval: error: " + dir + "/no/plot.png: cannot write: No such file or directory\n");
  CHECK(r.out.empty());
  r = cli("eval --model " + kZoo + " --data " + kShared + "/sequences --sequences otb_Girl --json " + dir + "/taken");
  CHECK(r.err == "efficienttrack eval: error: " + dir + "/taken: cannot replace with the new file: Is a directory\n");
  CHECK(r.out.empty());
  CHECK(entries(dir) == std::vector<std::string>{"file", "taken"});
}

TEST_CASE("cli bad input: a run that fails part-way leaves an existing --out file as it was") {
  const std::string data = make_data("cli-bad-midway", 3, "205,151,17,50\n202,150,19,49\n198,150,20,48\n");
  const std::string frame2 = data + "/tiny/img/00000002.jpg";
  std::ofstream(frame2, std::ios::trunc);  // zero bytes
  const std::string out = data + "/results.txt";
  std::ofstream(out) << "previous results\n";
  const Result r = cli("track --model " + kZoo + " --sequence " + data + "/tiny --out " + out);
  CHECK(r.status == 1);
  CHECK(r.err == "efficienttrack track: error: frame 2: load_image: cannot decode '" + frame2 + "': the file is empty\n");
  CHECK(read_text(out) == "previous results\n");
  CHECK(entries(data) == std::vector<std::string>{"results.txt", "tiny"});
}

TEST_CASE("cli bad input: ground truth with absent rows, fewer or more rows than frames, or garbage") {
  // Fewer rows than frames: track runs every frame and skips the comparison.
  const std::string fewer = make_data("cli-bad-gt-fewer", 3, "205,151,17,50\n");
  Result r = cli("track --model " + kZoo + " --sequence " + fewer + "/tiny");
  CHECK(r.status == 0);
  CHECK(lines_of(r.out).size() == 3);
  CHECK(r.err.find("against groundtruth.txt") == std::string::npos);
  // eval needs one row per frame.
  const std::string more = make_data("cli-bad-gt-more", 2, "205,151,17,50\n202,150,19,49\n198,150,20,48\n");
  r = cli("eval --model " + kZoo + " --data " + more);
  CHECK(r.err == "efficienttrack eval: error: " + more + "/tiny/groundtruth.txt: got 3 rows for 2 frames in " + more +
                 "/tiny/img, expected one row per frame\n");
  // A negative size marks the target absent, as NaN does: excluded by pytracking, a failure for lasot.
  const std::string negative = make_data("cli-bad-gt-negative", 4,
                                         "205,151,17,50\n202,150,19,49\n1,2,-3,4\n198,150,20,48\n");
  r = cli("eval --model " + kZoo + " --data " + negative + " --absent lasot --json " + negative + "/m.json");
  CHECK(r.status == 0);
  CHECK(read_text(negative + "/m.json").find("\"precision\": 0.75, \"norm_precision\": 0.75,") != std::string::npos);
  const std::string negative_first = make_data("cli-bad-gt-negative-first", 2, "205,151,-17,50\n202,150,19,49\n");
  r = cli("track --model " + kZoo + " --sequence " + negative_first + "/tiny");
  CHECK(r.err == "efficienttrack track: error: " + negative_first +
                 "/tiny/groundtruth.txt:1: the first row marks the target absent: got 205,151,-17,50, expected a box "
                 "with w, h > 0 to initialise the tracker with\n");
  const std::string garbage = make_data("cli-bad-gt-garbage", 2, "205,151,17,50\n\x01\x02garbage\n");
  r = cli("eval --model " + kZoo + " --data " + garbage);
  CHECK(r.err == "efficienttrack eval: error: " + garbage +
                 "/tiny/groundtruth.txt:2: got '\\x01\\x02garbage', expected 4 numbers x,y,w,h\n");
}

}  // namespace et
