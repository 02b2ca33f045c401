#include "tracker/metrics.h"

#include <algorithm>
#include <cmath>

#include "weights/error.h"

namespace et {
namespace {

// numpy's pairwise_sum for float64 (numpy/core/src/umath/loops_utils.h.src).
double pairwise_sum(const double* a, std::size_t n) {
  if (n < 8) {
    double res = 0.;
    for (std::size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (std::size_t j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (std::size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

// Python's math.fsum: the sum of `values` correctly rounded (Shewchuk's
// partials, then the half-way correction of CPython's implementation).
double exact_sum(std::span<const double> values) {
  std::vector<double> partials;
  for (double x : values) {
    std::size_t i = 0;
    for (double y : partials) {
      if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
      const double hi = x + y;
      const double lo = y - (hi - x);
      if (lo != 0.0) partials[i++] = lo;
      x = hi;
    }
    partials.resize(i);
    partials.push_back(x);
  }
  std::size_t n = partials.size();
  if (n == 0) return 0.0;
  double hi = partials[--n], lo = 0.0;
  while (n > 0) {
    const double x = hi, y = partials[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo != 0.0) break;
  }
  if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
    const double y = lo * 2, x = hi + y;
    if (y == x - hi) hi = x;
  }
  return hi;
}

// Frames that count: present ground truth, or every frame under lasot.
struct Tally {
  std::size_t denominator = 0;
  std::array<std::size_t, kSuccessPoints> success{};
  std::array<std::size_t, kPrecisionPoints> precision{};
  std::array<std::size_t, kNormPrecisionPoints> norm_precision{};
  std::size_t at_precision = 0, at_norm_precision = 0;
};

template <std::size_t N>
std::array<double, N> fractions(const std::array<std::size_t, N>& counts, std::size_t n) {
  std::array<double, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<double>(counts[i]) / static_cast<double>(n);
  return out;
}

}  // namespace

std::string absent_frames_name(AbsentFrames a) { return a == AbsentFrames::pytracking ? "pytracking" : "lasot"; }

AbsentFrames parse_absent_frames(const std::string& text, const std::string& what) {
  if (text == "pytracking") return AbsentFrames::pytracking;
  if (text == "lasot") return AbsentFrames::lasot;
  throw Error(what + ": got '" + text + "', expected pytracking or lasot");
}

double iou(const BoxF& a, const BoxF& b) {
  for (const double v : {a.x, a.y, a.w, a.h, b.x, b.y, b.w, b.h})
    if (!std::isfinite(v)) return 0.0;
  const double x1 = std::max(a.x, b.x), y1 = std::max(a.y, b.y);
  const double x2 = std::min(a.x + a.w, b.x + b.w), y2 = std::min(a.y + a.h, b.y + b.h);
  const double inter = std::max(x2 - x1, 0.0) * std::max(y2 - y1, 0.0);
  const double uni = a.w * a.h + b.w * b.h - inter;
  if (!(uni > 0)) return 0.0;  // also NaN
  return std::clamp(inter / uni, 0.0, 1.0);
}

double center_distance(const BoxF& pred, const BoxF& gt) {
  const double dx = (pred.x + pred.w / 2) - (gt.x + gt.w / 2);
  const double dy = (pred.y + pred.h / 2) - (gt.y + gt.h / 2);
  return std::sqrt(dx * dx + dy * dy);
}

double normalized_center_distance(const BoxF& pred, const BoxF& gt) {
  const double dx = ((pred.x + pred.w / 2) - (gt.x + gt.w / 2)) / gt.w;
  const double dy = ((pred.y + pred.h / 2) - (gt.y + gt.h / 2)) / gt.h;
  return std::sqrt(dx * dx + dy * dy);
}

BoxF to_boxf(const Box& b) { return {double(b.x), double(b.y), double(b.w), double(b.h)}; }

double success_threshold(std::size_t i) { return i + 1 == kSuccessPoints ? 1.0 : static_cast<double>(i) * 0.05; }
double precision_threshold(std::size_t i) { return static_cast<double>(i); }
double norm_precision_threshold(std::size_t i) {
  return i + 1 == kNormPrecisionPoints ? 0.5 : static_cast<double>(i) * 0.01;
}

double mean_like_numpy(std::span<const double> values) {
  if (values.empty()) throw Error("mean_like_numpy: got 0 values, expected at least 1");
  return pairwise_sum(values.data(), values.size()) / static_cast<double>(values.size());
}

double exact_mean(std::span<const double> values) {
  if (values.empty()) throw Error("exact_mean: got 0 values, expected at least 1");
  return exact_sum(values) / static_cast<double>(values.size());
}

SequenceMetrics evaluate_sequence(std::span<const BoxF> pred, std::span<const BoxF> gt, AbsentFrames absent) {
  if (pred.size() != gt.size())
    throw Error("evaluate_sequence: got " + std::to_string(pred.size()) + " predicted boxes, expected one per " +
                "ground-truth row (" + std::to_string(gt.size()) + ")");
  if (gt.empty()) throw Error("evaluate_sequence: got 0 frames, expected at least 1");
  SequenceMetrics m;
  m.frames = gt.size();
  Tally t;
  for (std::size_t f = 0; f < gt.size(); ++f) {
    if (!gt[f].present()) {
      ++m.absent;
      if (absent == AbsentFrames::lasot) ++t.denominator;  // a failure at every threshold
      continue;
    }
    ++t.denominator;
    const double overlap = iou(pred[f], gt[f]);
    const double dist = center_distance(pred[f], gt[f]);
    const double norm = normalized_center_distance(pred[f], gt[f]);
    for (std::size_t i = 0; i < kSuccessPoints; ++i) t.success[i] += overlap > success_threshold(i) ? 1 : 0;
    for (std::size_t i = 0; i < kPrecisionPoints; ++i) t.precision[i] += dist <= precision_threshold(i) ? 1 : 0;
    for (std::size_t i = 0; i < kNormPrecisionPoints; ++i)
      t.norm_precision[i] += norm <= norm_precision_threshold(i) ? 1 : 0;
    t.at_precision += dist <= kPrecisionThresholdPx ? 1 : 0;
    t.at_norm_precision += norm <= kNormPrecisionThreshold ? 1 : 0;
  }
  if (t.denominator == 0)
    throw Error("evaluate_sequence: every one of the " + std::to_string(gt.size()) +
                " ground-truth rows marks the target absent, expected at least one present frame");
  m.evaluated = t.denominator;
  m.success = fractions(t.success, t.denominator);
  m.precision_curve = fractions(t.precision, t.denominator);
  m.norm_precision_curve = fractions(t.norm_precision, t.denominator);
  m.auc = mean_like_numpy(m.success);
  m.precision = static_cast<double>(t.at_precision) / static_cast<double>(t.denominator);
  m.norm_precision = static_cast<double>(t.at_norm_precision) / static_cast<double>(t.denominator);
  return m;
}

MeanMetrics mean_metrics(std::span<const SequenceMetrics> sequences) {
  if (sequences.empty()) throw Error("mean_metrics: got 0 sequences, expected at least 1");
  MeanMetrics m;
  std::vector<double> v(sequences.size());
  const auto mean_of = [&](auto field) {
    for (std::size_t s = 0; s < sequences.size(); ++s) v[s] = field(sequences[s]);
    return exact_mean(v);
  };
  for (std::size_t i = 0; i < kSuccessPoints; ++i) m.success[i] = mean_of([&](const SequenceMetrics& s) { return s.success[i]; });
  for (std::size_t i = 0; i < kPrecisionPoints; ++i)
    m.precision_curve[i] = mean_of([&](const SequenceMetrics& s) { return s.precision_curve[i]; });
  for (std::size_t i = 0; i < kNormPrecisionPoints; ++i)
    m.norm_precision_curve[i] = mean_of([&](const SequenceMetrics& s) { return s.norm_precision_curve[i]; });
  m.auc = mean_of([](const SequenceMetrics& s) { return s.auc; });
  m.precision = mean_of([](const SequenceMetrics& s) { return s.precision; });
  m.norm_precision = mean_of([](const SequenceMetrics& s) { return s.norm_precision; });
  return m;
}

}  // namespace et
