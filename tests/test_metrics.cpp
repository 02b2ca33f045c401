// Evaluation metrics (tracker/metrics.h): hand-computed cases, both
// absent-frame conventions, and the reference's own metrics.json reproduced
// bit for bit from the reference's boxes.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_util.h"
#include "tracker/metrics.h"
#include "tracker/sequence.h"

namespace et {
namespace {

const std::string kShared = ET_TEST_SHARED_DIR;
const double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The number after "key": inside the object that follows "section": in a
// flat two-level JSON file such as metrics.json.
double json_number(const std::string& json, const std::string& section, const std::string& key) {
  const auto at = json.find("\"" + section + "\": {");
  REQUIRE_MESSAGE(at != std::string::npos, "no section " << section);
  const auto end = json.find('}', at);
  const auto k = json.find("\"" + key + "\": ", at);
  REQUIRE_MESSAGE((k != std::string::npos && k < end), "no " << key << " in " << section);
  return std::strtod(json.c_str() + k + key.size() + 4, nullptr);
}

std::vector<BoxF> read_reference_boxes(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  std::vector<BoxF> boxes;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    BoxF b;
    double score = 0;
    REQUIRE(std::sscanf(line.c_str(), "%lf,%lf,%lf,%lf,%lf", &b.x, &b.y, &b.w, &b.h, &score) == 5);
    boxes.push_back(b);
  }
  return boxes;
}

std::string exact(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

TEST_CASE("metrics: IoU of hand-computed box pairs") {
  const BoxF a{0, 0, 10, 10};
  CHECK(iou(a, a) == 1.0);
  CHECK(iou(a, {5, 0, 10, 10}) == doctest::Approx(50.0 / 150.0).epsilon(1e-15));
  CHECK(iou(a, {2, 2, 5, 5}) == 0.25);              // contained: 25 / 100
  CHECK(iou(a, {0, 0, 20, 10}) == 0.5);             // 100 / 200
  CHECK(iou(a, {10, 0, 10, 10}) == 0.0);            // touching edges share no area
  CHECK(iou(a, {30, 30, 5, 5}) == 0.0);             // disjoint
  CHECK(iou(a, {0.5, 0.5, 10, 10}) == doctest::Approx(90.25 / 109.75).epsilon(1e-15));  // continuous, no +1
  CHECK(iou({0, 0, 0, 0}, {0, 0, 0, 0}) == 0.0);    // empty union
  CHECK(iou(a, {kNaN, 0, 10, 10}) == 0.0);
}

TEST_CASE("metrics: centre distance and normalised centre distance") {
  CHECK(center_distance({0, 0, 10, 10}, {3, 4, 10, 10}) == 5.0);
  CHECK(center_distance({0, 0, 10, 10}, {0, 0, 20, 10}) == 5.0);  // centres (5,5) and (10,5)
  // centres (5,5) and (12,5): dx = -7 / 20 = -0.35
  CHECK(normalized_center_distance({0, 0, 10, 10}, {2, 0, 20, 10}) == doctest::Approx(0.35).epsilon(1e-15));
  // dx = 3/30, dy = 4/40 -> sqrt(0.02)
  CHECK(normalized_center_distance({3, 4, 30, 40}, {0, 0, 30, 40}) == doctest::Approx(std::sqrt(0.02)).epsilon(1e-15));
}

TEST_CASE("metrics: thresholds are numpy.linspace's") {
  CHECK(success_threshold(0) == 0.0);
  CHECK(success_threshold(3) == 3 * 0.05);  // 0.15000000000000002, not 0.15
  CHECK(success_threshold(3) != 0.15);
  CHECK(success_threshold(20) == 1.0);
  CHECK(precision_threshold(20) == 20.0);
  CHECK(norm_precision_threshold(20) == 20 * 0.01);
  CHECK(norm_precision_threshold(50) == 0.5);
}

TEST_CASE("metrics: mean_like_numpy sums pairwise like numpy, not left to right") {
  const std::vector<double> tenths(10, 0.1);
  CHECK(mean_like_numpy(tenths) == 0.1);  // numpy.mean([0.1]*10); a left-to-right sum gives 0.09999999999999999
  double sequential = 0;
  for (double v : tenths) sequential += v;
  CHECK(sequential / 10 != 0.1);
  CHECK(mean_like_numpy(std::vector<double>{1, 2, 4}) == 7.0 / 3);
  CHECK(test::error_of([] { mean_like_numpy({}); }) == "mean_like_numpy: got 0 values, expected at least 1");
}

TEST_CASE("metrics: exact_mean rounds the sum once, whatever the order") {
  const std::vector<double> a{1e16, 1.0, -1e16, 1.0};  // left to right: 1; exactly: 2
  CHECK(exact_mean(a) == 0.5);
  const std::vector<double> b{-1e16, 1.0, 1.0, 1e16};
  CHECK(exact_mean(b) == 0.5);
  const std::vector<double> tenths(10, 0.1);
  CHECK(exact_mean(tenths) == 0.1);
  CHECK(test::error_of([] { exact_mean({}); }) == "exact_mean: got 0 values, expected at least 1");
}

TEST_CASE("metrics: success is strict >, precision inclusive <=, AUC the mean of 21 points") {
  SUBCASE("IoU exactly 0.5 fails at threshold 0.5") {
    const std::vector<BoxF> pred{{0, 0, 10, 10}}, gt{{0, 0, 20, 10}};
    const SequenceMetrics m = evaluate_sequence(pred, gt);
    CHECK(m.success[9] == 1.0);   // 0.45
    CHECK(m.success[10] == 0.0);  // 0.5: not > 0.5
    CHECK(m.auc == doctest::Approx(10.0 / 21).epsilon(1e-15));  // thresholds 0 .. 0.45
    CHECK(m.precision == 1.0);                               // distance 5
    CHECK(m.norm_precision == 0.0);                          // 5 / 20 = 0.25 > 0.2
  }
  SUBCASE("IoU 1 fails only at threshold 1; IoU 0 fails everywhere") {
    const std::vector<BoxF> pred{{0, 0, 10, 10}, {100, 100, 10, 10}}, gt{{0, 0, 10, 10}, {0, 0, 10, 10}};
    const SequenceMetrics m = evaluate_sequence(pred, gt);
    CHECK(m.success[0] == 0.5);   // IoU 0 is not > 0
    CHECK(m.success[19] == 0.5);  // 0.95
    CHECK(m.success[20] == 0.0);  // 1.0: not > 1
    CHECK(m.auc == doctest::Approx(10.0 / 21).epsilon(1e-15));  // (20/21 + 0) / 2
    CHECK(m.precision == 0.5);
    CHECK(m.frames == 2);
    CHECK(m.evaluated == 2);
  }
  SUBCASE("a centre distance of exactly 20 px counts; 20.5 does not") {
    const std::vector<BoxF> pred{{20, 0, 10, 10}, {20.5, 0, 10, 10}}, gt{{0, 0, 10, 10}, {0, 0, 10, 10}};
    const SequenceMetrics m = evaluate_sequence(pred, gt);
    CHECK(m.precision == 0.5);
    CHECK(m.precision_curve[20] == 0.5);
    CHECK(m.precision_curve[21] == 1.0);
    CHECK(m.precision_curve[19] == 0.0);
  }
  SUBCASE("normalised distance 0.2 counts") {
    // centre offset 2 px on a 10 px wide box: 0.2 (2/10 is exactly 0.2 in double)
    const std::vector<BoxF> pred{{2, 0, 10, 10}}, gt{{0, 0, 10, 10}};
    CHECK(evaluate_sequence(pred, gt).norm_precision == 1.0);
  }
}

TEST_CASE("metrics: absent ground truth, pytracking excludes it, LaSOT counts it as a failure") {
  // Frames: perfect, absent (w 0), absent (NaN), absent (h -1), a miss.
  const std::vector<BoxF> gt{{0, 0, 10, 10}, {0, 0, 0, 10}, {kNaN, kNaN, kNaN, kNaN}, {5, 5, 10, -1}, {0, 0, 10, 10}};
  const std::vector<BoxF> pred{{0, 0, 10, 10}, {0, 0, 10, 10}, {0, 0, 10, 10}, {5, 5, 10, 1}, {50, 50, 10, 10}};
  const SequenceMetrics py = evaluate_sequence(pred, gt, AbsentFrames::pytracking);
  CHECK(py.frames == 5);
  CHECK(py.absent == 3);
  CHECK(py.evaluated == 2);
  CHECK(py.success[0] == 0.5);
  CHECK(py.auc == doctest::Approx(10.0 / 21).epsilon(1e-15));  // (20/21) / 2
  CHECK(py.precision == 0.5);
  CHECK(py.norm_precision == 0.5);

  const SequenceMetrics lasot = evaluate_sequence(pred, gt, AbsentFrames::lasot);
  CHECK(lasot.evaluated == 5);
  CHECK(lasot.success[0] == 0.2);
  CHECK(lasot.auc == doctest::Approx(4.0 / 21).epsilon(1e-15));  // (20/21) / 5
  CHECK(lasot.precision == 0.2);
  CHECK(lasot.norm_precision == 0.2);

  CHECK(absent_frames_name(AbsentFrames::lasot) == "lasot");
  CHECK(parse_absent_frames("pytracking", "--absent") == AbsentFrames::pytracking);
  CHECK(test::error_of([] { parse_absent_frames("otb", "--absent"); }) ==
        "--absent: got 'otb', expected pytracking or lasot");
}

TEST_CASE("metrics: mismatched lengths, no frames and all-absent ground truth are errors") {
  const std::vector<BoxF> one{{0, 0, 1, 1}}, two{{0, 0, 1, 1}, {0, 0, 1, 1}}, none{};
  CHECK(test::error_of([&] { evaluate_sequence(one, two); }) ==
        "evaluate_sequence: got 1 predicted boxes, expected one per ground-truth row (2)");
  CHECK(test::error_of([&] { evaluate_sequence(none, none); }) == "evaluate_sequence: got 0 frames, expected at least 1");
  const std::vector<BoxF> absent{{0, 0, 0, 0}};
  CHECK(test::error_of([&] { evaluate_sequence(one, absent); }) ==
        "evaluate_sequence: every one of the 1 ground-truth rows marks the target absent, expected at least one "
        "present frame");
  CHECK(evaluate_sequence(one, absent, AbsentFrames::lasot).auc == 0.0);
  CHECK(test::error_of([] { mean_metrics({}); }) == "mean_metrics: got 0 sequences, expected at least 1");
}

TEST_CASE("metrics: the mean over sequences weighs each sequence once") {
  const std::vector<BoxF> hit{{0, 0, 10, 10}}, gt1{{0, 0, 10, 10}};
  const std::vector<BoxF> miss3{{50, 50, 10, 10}, {50, 50, 10, 10}, {50, 50, 10, 10}};
  const std::vector<BoxF> gt3{{0, 0, 10, 10}, {0, 0, 10, 10}, {0, 0, 10, 10}};
  const std::vector<SequenceMetrics> seqs{evaluate_sequence(hit, gt1), evaluate_sequence(miss3, gt3)};
  const MeanMetrics m = mean_metrics(seqs);
  CHECK(m.precision == 0.5);  // not 1/4
  CHECK(m.auc == doctest::Approx(10.0 / 21).epsilon(1e-15));
  CHECK(m.success[0] == 0.5);
}

// The reference's metrics.json, recomputed from its own boxes: every value
// must be equal as a double (printed with 17 digits on mismatch).
TEST_CASE("metrics: reproduce reftrack-stb and reftrack metrics.json exactly from their boxes") {
  const std::vector<std::string> names{"otb_Crossing", "otb_Couple",  "otb_Football1",
                                       "otb_Girl",     "vot2015_bag", "uav123_10fps_wakeboard7"};
  for (const std::string set : {"reftrack-stb", "reftrack"}) {
    const std::string dir = kShared + "/reference/" + set;
    const std::string json = read_text(dir + "/metrics.json");
    std::vector<SequenceMetrics> all;
    for (const std::string& name : names) {
      CAPTURE(set);
      CAPTURE(name);
      const std::vector<BoxF> pred = read_reference_boxes(dir + "/" + name + ".txt");
      const std::vector<BoxF> gt = read_groundtruth(kShared + "/sequences/" + name + "/groundtruth.txt");
      const SequenceMetrics m = evaluate_sequence(pred, gt);
      CHECK(static_cast<double>(m.frames) == json_number(json, name, "frames"));
      CHECK(exact(m.auc) == exact(json_number(json, name, "auc")));
      CHECK(exact(m.precision) == exact(json_number(json, name, "prec20")));
      CHECK(exact(m.norm_precision) == exact(json_number(json, name, "normprec02")));
      all.push_back(m);
    }
    const MeanMetrics mean = mean_metrics(all);
    CAPTURE(set);
    CHECK(exact(mean.auc) == exact(json_number(json, "mean", "auc")));
    CHECK(exact(mean.precision) == exact(json_number(json, "mean", "prec20")));
    CHECK(exact(mean.norm_precision) == exact(json_number(json, "mean", "normprec02")));
  }
}

}  // namespace et
