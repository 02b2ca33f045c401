#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace et {

// Receives named intermediate activations during a forward pass (parity
// tests, debugging). Names and layouts match the goldens of
// tools/dump_golden.py: tokens are [N, C] row-major, maps are CHW.
class ActivationProbe {
 public:
  virtual ~ActivationProbe() = default;
  virtual void observe(std::string_view name, std::span<const float> values,
                       std::span<const std::int64_t> shape) = 0;
};

// Center-head maps of the last run(), CHW over the 16x16 search grid
// (index 16*y + x); valid until the next run().
struct CenterHeadMaps {
  std::span<const float> score;   // [1,16,16], sigmoid, clipped to [1e-4, 1-1e-4]
  std::span<const float> size;    // [2,16,16], w then h, fraction of the crop side
  std::span<const float> offset;  // [2,16,16], x then y, in cells
};

// The per-tracker state of a model: activation arena and the cached template
// embedding. Weights are shared read-only with every other Network of the
// same Model. Not thread-safe itself; use one Network per thread/tracker.
class Network {
 public:
  virtual ~Network() = default;
  // z: normalised template crop [3, template_size, template_size].
  // Runs everything that depends only on the template, once.
  virtual void set_template(const float* z, ActivationProbe* probe = nullptr) = 0;
  // x: normalised search crop [3, search_size, search_size]. Requires a template.
  virtual void run(const float* x, ActivationProbe* probe = nullptr) = 0;
  virtual CenterHeadMaps center_maps() const = 0;
  virtual std::size_t arena_bytes() const = 0;
};

}  // namespace et
