// libFuzzer target: the image decoder path (decode_image: stb_image's
// header check, the size limits, decoding and the conversion to 8-bit RGB).
// An et::Error is the expected outcome for bad input; any other exception, a
// crash, a sanitizer report or a leak is a bug.
#include <cstddef>
#include <cstdint>

#include "tracker/image.h"
#include "weights/error.h"

namespace {
// 2^20 pixels instead of kMaxImagePixels: 700 bytes of JPEG can claim 2^26
// pixels, 13 s of decoding under ASan, and those take the run's time
// without reaching any new code.
constexpr std::int64_t kFuzzMaxPixels = std::int64_t{1} << 20;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const et::Image img = et::decode_image(data, size, "fuzz", kFuzzMaxPixels);
    // What the tracker relies on (tracker/image.h).
    if (img.width < 1 || img.height < 1 || img.width > et::kMaxImageSide || img.height > et::kMaxImageSide ||
        std::int64_t{img.width} * img.height > kFuzzMaxPixels ||
        img.rgb.size() != static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height) * 3)
      __builtin_trap();
  } catch (const et::Error&) {
  }
  return 0;
}
