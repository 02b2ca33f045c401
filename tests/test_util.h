// Helpers shared by the tests.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/kernels.h"
#include "weights/error.h"

namespace et::test {

// The message of the et::Error that `f` throws, or "<no error>".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const et::Error& e) {
    return e.what();
  }
  return "<no error>";
}

inline std::vector<float> random_values(std::size_t n, std::uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Runs `f` once per ISA this build and CPU can run (reference first), with
// that ISA's kernels active for models loaded inside `f`; restores the
// previously active ISA afterwards.
inline void for_each_isa(const std::function<void(Isa)>& f) {
  const Isa saved = active_kernels().isa;
  for (Isa isa : runnable_isas()) {
    set_active_isa(isa);
    f(isa);
  }
  set_active_isa(saved);
}

// ET_TEST_REDUCED set (and not "0"): the long tests run a reduced form (fewer
// frames or updates). The sanitizer builds set it (tools/test_sanitizers.sh):
// instrumented code is several times slower, and every test still runs.
inline bool reduced_run() {
  const char* value = std::getenv("ET_TEST_REDUCED");
  return value != nullptr && *value != '\0' && std::string_view(value) != "0";
}

// A fresh folder under the system temp dir, unique to this process and tag;
// removed when the process exits, unless ET_TEST_KEEP_TEMP is set.
std::string temp_dir(const std::string& tag);

// A whole file's bytes, read in one call (an istreambuf_iterator copy runs
// per byte: 57 s for the family weight files in the unoptimised ASan build);
// throws et::Error naming the file when it cannot be read.
std::vector<std::uint8_t> file_bytes(const std::string& path);

}  // namespace et::test
