#include "tracker/plot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "weights/error.h"

namespace et {
namespace {

constexpr Rgb kBlack{0, 0, 0}, kWhite{255, 255, 255}, kGrid{225, 225, 225}, kFrame{60, 60, 60};

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

Rgb plot_colour(std::size_t index) {
  static constexpr std::array<Rgb, 10> palette = {{{31, 119, 180},
                                                   {255, 127, 14},
                                                   {44, 160, 44},
                                                   {214, 39, 40},
                                                   {148, 103, 189},
                                                   {140, 86, 75},
                                                   {227, 119, 194},
                                                   {127, 127, 127},
                                                   {188, 189, 34},
                                                   {23, 190, 207}}};
  return palette[index % palette.size()];
}

void draw_plot(Image& canvas, int x, int y, int w, int h, const PlotSpec& spec) {
  if (!(spec.x_max > spec.x_min) || !(spec.y_max > spec.y_min))
    throw Error("draw_plot: axis range: got x " + fixed(spec.x_min, 3) + ".." + fixed(spec.x_max, 3) + ", y " +
                fixed(spec.y_min, 3) + ".." + fixed(spec.y_max, 3) + ", expected min < max on both");
  for (const PlotCurve& c : spec.curves)
    if (c.x.size() != c.y.size())
      throw Error("draw_plot: curve '" + c.label + "': got " + std::to_string(c.x.size()) + " x values and " +
                  std::to_string(c.y.size()) + " y values, expected as many of each");
  const int s = spec.text_scale, th = text_height(s), gap = 4 * s;
  fill_rect(canvas, x, y, w, h, kWhite);

  // Plot area: room for the title above, the y label and tick labels to the
  // left, tick labels and the x label below.
  int y_label_width = 0;
  for (double t : spec.y_ticks) y_label_width = std::max(y_label_width, text_width(fixed(t, spec.y_decimals), s));
  const int left = x + gap + th + gap + y_label_width + gap;
  const int top = y + gap + th + 2 * gap;
  const int right = x + w - 3 * gap;
  const int bottom = y + h - (gap + th + gap + th + gap);
  if (right - left < 20 || bottom - top < 20)
    throw Error("draw_plot: rectangle " + std::to_string(w) + "x" + std::to_string(h) +
                " is too small for the labels, expected more room");
  const auto px = [&](double v) { return left + (v - spec.x_min) / (spec.x_max - spec.x_min) * (right - left); };
  const auto py = [&](double v) { return bottom - (v - spec.y_min) / (spec.y_max - spec.y_min) * (bottom - top); };

  draw_text(canvas, x + (w - text_width(spec.title, s)) / 2, y + gap, spec.title, kBlack, s);
  for (double t : spec.x_ticks) {
    const int tx = static_cast<int>(std::lround(px(t)));
    draw_line(canvas, tx, top, tx, bottom, kGrid);
    draw_line(canvas, tx, bottom, tx, bottom + gap, kFrame, 1);
    const std::string label = fixed(t, spec.x_decimals);
    draw_text(canvas, tx - text_width(label, s) / 2, bottom + gap + 2, label, kBlack, s);
  }
  for (double t : spec.y_ticks) {
    const int ty = static_cast<int>(std::lround(py(t)));
    draw_line(canvas, left, ty, right, ty, kGrid);
    draw_line(canvas, left - gap, ty, left, ty, kFrame, 1);
    const std::string label = fixed(t, spec.y_decimals);
    draw_text(canvas, left - gap - 2 - text_width(label, s), ty - th / 2, label, kBlack, s);
  }
  draw_rect(canvas, left, top, right - left + 1, bottom - top + 1, kFrame, 1);
  draw_text(canvas, left + (right - left - text_width(spec.x_label, s)) / 2, bottom + 2 * gap + th, spec.x_label,
            kBlack, s);
  draw_text_vertical(canvas, x + gap, top + (bottom - top - text_width(spec.y_label, s)) / 2, spec.y_label, kBlack, s);

  for (const PlotCurve& c : spec.curves)
    for (std::size_t i = 1; i < c.x.size(); ++i)
      draw_line(canvas, px(std::clamp(c.x[i - 1], spec.x_min, spec.x_max)),
                py(std::clamp(c.y[i - 1], spec.y_min, spec.y_max)), px(std::clamp(c.x[i], spec.x_min, spec.x_max)),
                py(std::clamp(c.y[i], spec.y_min, spec.y_max)), c.colour, c.thickness);

  // Legend: a swatch and the label per curve, in a framed white box.
  if (spec.curves.empty()) return;
  int label_width = 0;
  for (const PlotCurve& c : spec.curves) label_width = std::max(label_width, text_width(c.label, s));
  const int swatch = 6 * s, row = th + gap;
  const int box_w = gap + swatch + gap + label_width + gap;
  const int box_h = gap + static_cast<int>(spec.curves.size()) * row;
  const bool at_left = spec.legend == LegendCorner::bottom_left || spec.legend == LegendCorner::top_left;
  const bool at_top = spec.legend == LegendCorner::top_left || spec.legend == LegendCorner::top_right;
  const int bx = at_left ? left + 2 * gap : right - 2 * gap - box_w;
  const int by = at_top ? top + 2 * gap : bottom - 2 * gap - box_h;
  fill_rect(canvas, bx, by, box_w, box_h, kWhite);
  draw_rect(canvas, bx, by, box_w, box_h, kFrame, 1);
  for (std::size_t i = 0; i < spec.curves.size(); ++i) {
    const PlotCurve& c = spec.curves[i];
    const int ry = by + gap + static_cast<int>(i) * row;
    fill_rect(canvas, bx + gap, ry + th / 2 - c.thickness / 2, swatch, std::max(c.thickness, 1), c.colour);
    draw_text(canvas, bx + gap + swatch + gap, ry, c.label, kBlack, s);
  }
}

Image evaluation_plot(std::span<const std::string> names, std::span<const SequenceMetrics> metrics,
                      const MeanMetrics& mean, const std::string& title) {
  if (names.size() != metrics.size())
    throw Error("evaluation_plot: got " + std::to_string(names.size()) + " names and " +
                std::to_string(metrics.size()) + " metrics, expected one name per sequence");
  const int panel_w = 760, panel_h = 620, title_h = 40;
  Image img = make_image(2 * panel_w, panel_h + title_h, kWhite);
  draw_text(img, (img.width - text_width(title, 3)) / 2, 10, title, kBlack, 3);

  PlotSpec success;
  success.title = "Success plot";
  success.x_label = "Overlap threshold (IoU >)";
  success.y_label = "Success rate";
  success.x_ticks = {0, 0.2, 0.4, 0.6, 0.8, 1.0};
  success.y_ticks = success.x_ticks;
  success.legend = LegendCorner::bottom_left;
  PlotSpec precision;
  precision.title = "Precision plot";
  precision.x_label = "Location error threshold (px)";
  precision.y_label = "Precision";
  precision.x_max = 50;
  precision.x_ticks = {0, 10, 20, 30, 40, 50};
  precision.x_decimals = 0;
  precision.y_ticks = success.y_ticks;
  precision.legend = LegendCorner::bottom_right;

  std::vector<double> sx(kSuccessPoints), px(kPrecisionPoints);
  for (std::size_t i = 0; i < kSuccessPoints; ++i) sx[i] = success_threshold(i);
  for (std::size_t i = 0; i < kPrecisionPoints; ++i) px[i] = precision_threshold(i);
  const auto percent = [](double v) { return fixed(100 * v, 1); };
  for (std::size_t k = 0; k < names.size(); ++k) {
    const SequenceMetrics& m = metrics[k];
    success.curves.push_back({names[k] + " [" + percent(m.auc) + "]", sx, {m.success.begin(), m.success.end()},
                              plot_colour(k), 2});
    precision.curves.push_back({names[k] + " [" + percent(m.precision) + "]", px,
                                {m.precision_curve.begin(), m.precision_curve.end()}, plot_colour(k), 2});
  }
  success.curves.push_back({"mean [" + percent(mean.auc) + "]", sx, {mean.success.begin(), mean.success.end()},
                            kBlack, 4});
  precision.curves.push_back({"mean [" + percent(mean.precision) + "]", px,
                              {mean.precision_curve.begin(), mean.precision_curve.end()}, kBlack, 4});
  success.title += " (legend: AUC %)";
  precision.title += " (legend: precision@20px %)";
  draw_plot(img, 0, title_h, panel_w, panel_h, success);
  draw_plot(img, panel_w, title_h, panel_w, panel_h, precision);
  return img;
}

}  // namespace et
