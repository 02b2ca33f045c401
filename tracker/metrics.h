// One-pass evaluation (tracker.md, "Evaluation"; OTB / pytracking
// convention): success curve and its AUC, precision at 20 px, normalised
// precision at 0.2, per sequence and averaged over sequences.
//
// Floating-point order follows the reference's numpy code, so that fed the
// reference's own boxes these functions reproduce
// ../shared/reference/reftrack-stb/metrics.json bit for bit: overlap
// thresholds are numpy.linspace(0, 1, 21) (i * 0.05, the last exactly 1),
// each curve point is count / n, a sequence's AUC is numpy.mean of its 21
// points (pairwise summation, mean_like_numpy), and the mean over sequences
// is the correctly rounded sum divided by their number (exact_mean), which
// does not depend on the order of the sequences.
#pragma once
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "tracker/box.h"
#include "tracker/sequence.h"

namespace et {

inline constexpr std::size_t kSuccessPoints = 21;     // IoU thresholds 0, 0.05, ..., 1
inline constexpr std::size_t kPrecisionPoints = 51;   // 0, 1, ..., 50 px
inline constexpr std::size_t kNormPrecisionPoints = 51;  // 0, 0.01, ..., 0.5
inline constexpr double kPrecisionThresholdPx = 20.0;
inline constexpr double kNormPrecisionThreshold = 0.20;

// How frames whose ground truth marks the target absent (w or h <= 0, or
// NaN) count:
// pytracking: excluded from numerator and denominator (the default);
// lasot: kept in the denominator and counted as failures at every threshold.
enum class AbsentFrames { pytracking, lasot };
std::string absent_frames_name(AbsentFrames a);  // "pytracking" / "lasot"
// Throws et::Error "<what>: got 'x', expected pytracking or lasot".
AbsentFrames parse_absent_frames(const std::string& text, const std::string& what);

// IoU of two axis-aligned boxes, continuous coordinates (a box covers
// [x, x + w) x [y, y + h)), clipped to [0, 1]; 0 when the union is empty
// or a coordinate is not finite.
double iou(const BoxF& a, const BoxF& b);
// Centre distance in pixels, centre = (x + w/2, y + h/2).
double center_distance(const BoxF& pred, const BoxF& gt);
// Centre offsets divided by the ground truth's w and h, then the Euclidean
// norm: sqrt((dx/gt.w)^2 + (dy/gt.h)^2).
double normalized_center_distance(const BoxF& pred, const BoxF& gt);

BoxF to_boxf(const Box& b);

// Overlap threshold i of the success curve: i * 0.05, and exactly 1 for i = 20.
double success_threshold(std::size_t i);
double precision_threshold(std::size_t i);       // i pixels
double norm_precision_threshold(std::size_t i);  // i * 0.01

// The arithmetic mean, summed in numpy's pairwise order (blocks of 8
// partial sums below 128 elements), so results equal numpy.mean's.
double mean_like_numpy(std::span<const double> values);
// The correctly rounded sum (Python's math.fsum) divided by the count.
double exact_mean(std::span<const double> values);

struct SequenceMetrics {
  std::size_t frames = 0;     // frames tracked (= ground-truth rows)
  std::size_t evaluated = 0;  // frames in the denominator
  std::size_t absent = 0;     // frames whose ground truth marks the target absent
  std::array<double, kSuccessPoints> success{};              // fraction with IoU > threshold
  std::array<double, kPrecisionPoints> precision_curve{};    // fraction with distance <= threshold
  std::array<double, kNormPrecisionPoints> norm_precision_curve{};
  double auc = 0;             // mean of the 21 success points
  double precision = 0;       // fraction with centre distance <= 20 px
  double norm_precision = 0;  // fraction with normalised distance <= 0.2
};

// pred and gt have one row per frame (frame 0 included: the tracker returns
// the init box there, and it counts). Throws et::Error if their lengths
// differ, are 0, or if no frame remains to evaluate (every ground-truth row
// absent under the pytracking convention).
SequenceMetrics evaluate_sequence(std::span<const BoxF> pred, std::span<const BoxF> gt,
                                  AbsentFrames absent = AbsentFrames::pytracking);

struct MeanMetrics {
  std::array<double, kSuccessPoints> success{};
  std::array<double, kPrecisionPoints> precision_curve{};
  std::array<double, kNormPrecisionPoints> norm_precision_curve{};
  double auc = 0, precision = 0, norm_precision = 0;
};

// Unweighted mean over sequences (each sequence counts once, whatever its
// length), as the reference's "mean": exact_mean of each field and curve
// point. Throws et::Error for no sequences.
MeanMetrics mean_metrics(std::span<const SequenceMetrics> sequences);

}  // namespace et
