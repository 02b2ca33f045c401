// Line plots drawn by the project itself (no plotting framework): axes,
// ticks, tick labels, axis labels, a title and a legend, in the built-in
// bitmap font. Used for the OTB-style success and precision plots.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "tracker/draw.h"
#include "tracker/metrics.h"

namespace et {

struct PlotCurve {
  std::string label;      // shown in the legend
  std::vector<double> x, y;  // same length, drawn as a polyline
  Rgb colour;
  int thickness = 2;
};

enum class LegendCorner { bottom_left, bottom_right, top_left, top_right };

struct PlotSpec {
  std::string title, x_label, y_label;
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  std::vector<double> x_ticks, y_ticks;  // labelled tick positions
  int x_decimals = 1, y_decimals = 1;    // digits after the point in tick labels
  std::vector<PlotCurve> curves;
  LegendCorner legend = LegendCorner::bottom_left;
  int text_scale = 2;
};

// Draws the plot into the w x h rectangle of `canvas` at (x, y). Throws
// et::Error if a curve's x and y differ in length or an axis range is empty.
void draw_plot(Image& canvas, int x, int y, int w, int h, const PlotSpec& spec);

// The distinguishable colours curves take in order (wraps around).
Rgb plot_colour(std::size_t index);

// The evaluation figure: success plot (fraction of frames with IoU > t
// against t, legend with AUC) on the left, precision plot (fraction with
// centre error <= d px against d = 0..50, legend with precision at 20 px) on
// the right; one curve per sequence plus a thicker black "mean" curve.
// `title` goes above both. Throws et::Error if names and metrics differ in length.
Image evaluation_plot(std::span<const std::string> names, std::span<const SequenceMetrics> metrics,
                      const MeanMetrics& mean, const std::string& title);

}  // namespace et
