// What the parity tests share: a probe that records every activation a
// network emits, and the deviation of one activation from its golden.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "net/network.h"

namespace et::test {

class Recorder final : public ActivationProbe {
 public:
  void observe(std::string_view name, std::span<const float> values, std::span<const std::int64_t> shape) override {
    seen[std::string(name)] = {{values.begin(), values.end()}, {shape.begin(), shape.end()}};
  }
  struct Activation {
    std::vector<float> values;
    std::vector<std::int64_t> shape;
  };
  std::map<std::string, Activation> seen;
};

// Largest |got - want| and largest |want| (the scale the bounds are relative to).
struct Deviation {
  double max_abs = 0, ref_max = 0;
};

inline Deviation compare(std::span<const float> got, std::span<const float> want) {
  Deviation e;
  for (std::size_t i = 0; i < want.size(); ++i) {
    e.max_abs = std::max(e.max_abs, std::fabs(double(got[i]) - double(want[i])));
    e.ref_max = std::max(e.ref_max, std::fabs(double(want[i])));
  }
  return e;
}

}  // namespace et::test
