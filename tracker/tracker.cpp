#include "tracker/tracker.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>

#include "weights/blob_format.h"
#include "weights/error.h"

namespace et {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

std::string box_text(const Box& b) {
  return std::to_string(b.x) + "," + std::to_string(b.y) + "," + std::to_string(b.w) + "," + std::to_string(b.h);
}

void check_frame(const Image& frame, const char* fn) {
  const std::size_t expected = std::size_t{3} * static_cast<std::size_t>(std::max(frame.width, 0)) *
                               static_cast<std::size_t>(std::max(frame.height, 0));
  if (frame.width < 1 || frame.height < 1)
    throw Error(std::string(fn) + ": frame is empty: got " + std::to_string(frame.width) + "x" +
                std::to_string(frame.height) + ", expected at least 1x1");
  if (frame.rgb.size() != expected)
    throw Error(std::string(fn) + ": frame " + std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                " has the wrong number of samples: got " + std::to_string(frame.rgb.size()) + ", expected " +
                std::to_string(expected));
}

// Whether any pixel of the window lies inside the frame.
bool overlaps(CropWindow win, const Image& frame) {
  const std::int64_t x2 = std::int64_t{win.x1} + win.size, y2 = std::int64_t{win.y1} + win.size;
  return x2 > 0 && y2 > 0 && win.x1 < frame.width && win.y1 < frame.height;
}

// Whether the next update can crop around `box`: w, h >= 1 and a search
// window within int coordinates.
bool croppable(const Box& box, double factor) {
  if (box.w < 1 || box.h < 1) return false;
  try {
    (void)crop_window(box, factor);
  } catch (const Error&) {
    return false;
  }
  return true;
}

}  // namespace

TrackResult accept_decoded(const DecodeResult& decoded, const Box& last, double search_factor) {
  if (decoded.found && croppable(decoded.box, search_factor)) return {decoded.box, decoded.score, true};
  return {last, decoded.score, false};
}

std::string mode_name(TrackerMode mode) { return mode == TrackerMode::opencv ? "opencv" : "correct"; }

TrackerMode parse_mode(const std::string& text, const std::string& what) {
  if (text == "opencv") return TrackerMode::opencv;
  if (text == "correct") return TrackerMode::correct;
  throw Error(what + ": got '" + text + "', expected opencv or correct");
}

TrackerMode default_mode(const ModelConfig& config) {
  return config.family == blob::kFamilyVittrackZoo ? TrackerMode::opencv : TrackerMode::correct;
}

Tracker::Tracker(std::shared_ptr<const Model> model, TrackerOptions options)
    : model_(std::move(model)), options_(options) {
  if (!model_) throw Error("Tracker: model: got nullptr, expected a loaded model");
  const ModelConfig& c = model_->config();
  if (!std::isfinite(options_.score_threshold))
    throw Error("Tracker: score threshold: got " + std::to_string(options_.score_threshold) +
                ", expected a finite number");
  if (!std::isfinite(options_.corner_threshold))
    throw Error("Tracker: corner threshold: got " + std::to_string(options_.corner_threshold) +
                ", expected a finite number");
  for (const double factor : {options_.template_factor, options_.search_factor})
    if (!(factor > 0.0) || !std::isfinite(factor))
      throw Error("Tracker: crop factor: got " + std::to_string(factor) + ", expected a positive finite number");
  edge_ = options_.mode == TrackerMode::opencv ? EdgeMode::opencv : EdgeMode::correct;
  order_ = options_.mode == TrackerMode::opencv ? ChannelOrder::bgr : ChannelOrder::rgb;
  template_size_ = static_cast<int>(c.template_size);
  search_size_ = static_cast<int>(c.search_size);
  net_ = model_->create_network();
  head_ = net_->head_kind();
  // The decode reads the size and offset maps at the windowed score peak
  // only: the network computes them there alone (bit-identical values).
  if (head_ == HeadKind::center)
    net_->select_center_cell([](std::span<const float> score) { return windowed_peak(score).cell; });
  const auto side = static_cast<std::size_t>(std::max(template_size_, search_size_));
  input_.resize(3 * side * side);
  // Grow the scratch to the search size now, so the first update allocates nothing.
  const Image probe{1, 1, {0, 0, 0}};
  crop_resize_normalize(probe, {0, 0, 1}, search_size_, edge_, order_, input_.data(), scratch_);
}

void Tracker::init(const Image& frame, const BoxF& box) { init(frame, round_box(box, "Tracker::init: box")); }

void Tracker::init(const Image& frame, const Box& box) {
  check_frame(frame, "Tracker::init");
  if (box.w < 1 || box.h < 1)
    throw Error("Tracker::init: box " + box_text(box) + " has no area: got w=" + std::to_string(box.w) +
                ", h=" + std::to_string(box.h) + ", expected w >= 1 and h >= 1");
  const std::int64_t x2 = std::int64_t{box.x} + box.w, y2 = std::int64_t{box.y} + box.h;
  if (x2 <= 0 || y2 <= 0 || box.x >= frame.width || box.y >= frame.height)
    throw Error("Tracker::init: box " + box_text(box) + " lies wholly outside the " + std::to_string(frame.width) +
                "x" + std::to_string(frame.height) + " frame, expected it to overlap the frame");
  // Both windows must be computable before any state changes.
  const CropWindow templ = crop_window(box, options_.template_factor);
  (void)crop_window(box, options_.search_factor);
  initialized_ = false;
  crop_resize_normalize(frame, templ, template_size_, edge_, order_, input_.data(), scratch_);
  net_->set_template(input_.data());
  last_ = box;
  initialized_ = true;
}

TrackResult Tracker::update(const Image& frame) {
  if (!initialized_) throw Error("Tracker::update: called before init");
  check_frame(frame, "Tracker::update");
  const CropWindow search = crop_window(last_, options_.search_factor);  // cannot throw: checked when last_ was set
  TrackResult result{last_, 0.f, false};
  if (!overlaps(search, frame)) return result;

  const auto t0 = Clock::now();
  crop_resize_normalize(frame, search, search_size_, edge_, order_, input_.data(), scratch_);
  const auto t1 = Clock::now();
  net_->run(input_.data());
  const auto t2 = Clock::now();
  DecodeResult d;
  if (head_ == HeadKind::center) {
    const CenterCell cell = net_->center_cell();
    const CenterPeak peak = windowed_peak(net_->center_maps().score);  // the cell the network picked, with its score
    d = decode_center_cell(peak, {cell.size[0], cell.size[1], cell.offset[0], cell.offset[1]}, last_, search,
                           options_.score_threshold);
  } else {
    const CornerHeadOutput corner = net_->corner_output();
    d = decode_corner(corner.box, corner.confidence, last_, search, options_.corner_threshold);
  }
  const auto t3 = Clock::now();

  result = accept_decoded(d, last_, options_.search_factor);
  last_ = result.box;
  timing_.updates += 1;
  timing_.preprocess_s += seconds(t0, t1);
  timing_.network_s += seconds(t1, t2);
  timing_.decode_s += seconds(t2, t3);
  return result;
}

}  // namespace et
