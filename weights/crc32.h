#pragma once
#include <cstddef>
#include <cstdint>

namespace et {

// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), identical to zlib's
// crc32(): continue a running value by passing the previous result as `crc`.
std::uint32_t crc32_update(std::uint32_t crc, const void* data, std::size_t size);

}  // namespace et
