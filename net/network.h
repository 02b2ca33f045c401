#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "weights/error.h"

namespace et {

// Receives named intermediate activations during a forward pass (parity
// tests, debugging). Names and layouts match the goldens of
// tools/dump_golden.py and tools/dump_golden_family.py: tokens are [N, C]
// row-major, maps are CHW.
class ActivationProbe {
 public:
  virtual ~ActivationProbe() = default;
  virtual void observe(std::string_view name, std::span<const float> values,
                       std::span<const std::int64_t> shape) = 0;
};

// Center-head maps of one crop of the last run(), CHW over the 16x16 search
// grid (index 16*y + x); valid until the next run().
struct CenterHeadMaps {
  std::span<const float> score;   // [1,16,16], sigmoid, clipped to [1e-4, 1-1e-4]
  std::span<const float> size;    // [2,16,16], w then h, fraction of the crop side
  std::span<const float> offset;  // [2,16,16], x then y, in cells
};

// The center head's size and offset at one cell of the score map: what a
// tracker reads of them (at its windowed score peak).
struct CenterCell {
  int cell = -1;              // 16*y + x; -1 before a run
  float size[2] = {0, 0};     // w, h: the size map's values there
  float offset[2] = {0, 0};   // x, y: the offset map's values there
};

// Picks the cell of a crop's score map ([1,16,16], as CenterHeadMaps::score)
// whose size and offset a run computes.
using CenterCellSelector = std::function<int(std::span<const float> score)>;

// Which head a network ends in: center (center_maps()) or corner
// (corner_output()).
enum class HeadKind { center, corner };

// Corner-head result of one crop of the last run() (models.md "Heads"); the spans are
// valid until the next run(). Each branch's 16x16 logit map is soft-argmaxed:
// softmax over the 256 cells, then the expected pixel coordinate with cell
// coordinates 16*i (top-left) and 16*i + 15 (bottom-right), divided by the
// search crop side (256).
struct CornerHeadOutput {
  std::span<const float> top_left;      // [16,16] probabilities (sum 1), index 16*y + x
  std::span<const float> bottom_right;  // [16,16] probabilities (sum 1)
  std::array<float, 4> box{};           // x1, y1, x2, y2 as fractions of the search crop side
  float peak_top_left = 0;              // largest probability of top_left
  float peak_bottom_right = 0;          // largest probability of bottom_right
  // peak_top_left * peak_bottom_right: the probability of the most likely
  // (top-left cell, bottom-right cell) pair, the maps taken as independent;
  // 1 for two one-hot maps, 1/65536 for two uniform ones.
  float confidence = 0;
};

// The per-tracker state of a model: activation arena and the cached template
// embedding. Weights are shared read-only with every other Network of the
// same Model. Not thread-safe itself; use one Network per thread/tracker.
//
// A network planned for a batch of B crops (Model::create_network(B)) runs up
// to B search crops against its one template at once: the row-wise layers
// (LayerNorm, linear / 1x1, FFN) see all the crops' tokens stacked, attention,
// the stem and the head run crop by crop. Every crop's result is bit-identical
// to a run() of that crop alone (each output row keeps its order of sums).
class Network {
 public:
  virtual ~Network() = default;
  // z: normalised template crop [3, template_size, template_size].
  // Runs everything that depends only on the template, once.
  virtual void set_template(const float* z, ActivationProbe* probe = nullptr) = 0;
  // x: normalised search crop [3, search_size, search_size]. Requires a template.
  void run(const float* x, ActivationProbe* probe = nullptr) {
    const float* crops[1] = {x};
    run_batch(crops, probe);
  }
  // 1 to max_batch() search crops, each [3, search_size, search_size]; the
  // results of crop i are center_maps(i) / corner_output(i). A probe sees the
  // stem's and the head's activations crop after crop (the shapes of run()),
  // the blocks' and the final norm's once for all crops, rows of all crops
  // stacked ([crops * N, C]). The last block updates only the search tokens
  // the head reads (net/layers.h, StreamRows): from its token mixer on, and
  // in the final norm, a probe sees those ([crops * 256, C]).
  virtual void run_batch(std::span<const float* const> crops, ActivationProbe* probe = nullptr) = 0;
  virtual int max_batch() const = 0;
  virtual CenterHeadMaps center_maps(int crop = 0) const = 0;
  virtual HeadKind head_kind() const { return HeadKind::center; }
  // Center head: with a selector, each run computes the score map whole and,
  // per crop, the size and offset only at the cell `select` picks from it
  // (through the few cells that one depends on: bit-identical to the whole
  // maps there, for a fraction of those two branches' work); center_maps()
  // then has the score map and empty size and offset spans, center_cell(crop)
  // the cell. An empty selector (the default) computes the whole maps. A
  // corner-head network throws et::Error.
  virtual void select_center_cell(CenterCellSelector select) {
    (void)select;
    throw Error("network: select_center_cell(): this model has a corner head");
  }
  // The cell the selector picked in the last run and its values; throws
  // et::Error without a selector.
  virtual CenterCell center_cell(int crop = 0) const {
    (void)crop;
    throw Error("network: center_cell(): this model has a corner head; read corner_output()");
  }
  // The corner head's result; a center-head network throws et::Error.
  virtual CornerHeadOutput corner_output(int crop = 0) const {
    (void)crop;
    throw Error("network: corner_output(): this model has a center head; read center_maps()");
  }
  virtual std::size_t arena_bytes() const = 0;
};

}  // namespace et
