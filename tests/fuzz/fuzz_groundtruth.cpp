// libFuzzer target: the ground-truth parser (parse_groundtruth, the text of
// a groundtruth.txt) and the rounding of each row to an init box.
// An et::Error is the expected outcome for bad input; any other exception, a
// crash, a sanitizer report or a leak is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tracker/sequence.h"
#include "weights/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto rows = et::parse_groundtruth(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    if (rows.empty()) __builtin_trap();  // parse_groundtruth promises at least one row
    for (const et::BoxF& row : rows) {
      try {
        const et::Box box = et::round_box(row, "fuzz");
        if (box.w < 1 || box.h < 1) __builtin_trap();
      } catch (const et::Error&) {
      }
    }
  } catch (const et::Error&) {
  }
  return 0;
}
