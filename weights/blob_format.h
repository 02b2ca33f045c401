// The weight-blob format constants: the ONE place they are defined.
// tools/blobfile.py parses this header (lines of the form
// `inline constexpr std::uint32_t kName = N;` and the magic string), so the
// Python exporter and the C++ loader can never disagree. Layout: FORMAT.md.
#pragma once
#include <cstdint>

namespace et::blob {

inline constexpr char kMagic[9] = "ETRKBLOB";  // 8 bytes on disk, no NUL
inline constexpr std::uint32_t kFormatVersion = 1;

inline constexpr std::uint32_t kHeaderSize = 64;
inline constexpr std::uint32_t kConfigSize = 64;        // 16 x u32
inline constexpr std::uint32_t kTensorEntrySize = 128;
inline constexpr std::uint32_t kTensorNameCapacity = 88; // NUL-terminated
inline constexpr std::uint32_t kMaxDims = 4;
inline constexpr std::uint32_t kMaxTensors = 65536;
inline constexpr std::uint32_t kDataAlignment = 64;

// dtype codes (tensor table)
inline constexpr std::uint32_t kDtypeF32 = 1;

// config.family
inline constexpr std::uint32_t kFamilyNone = 0;  // plain tensor container (goldens)
inline constexpr std::uint32_t kFamilyVittrackZoo = 1;
inline constexpr std::uint32_t kFamilyEfficientTrack = 2;
inline constexpr std::uint32_t kFamilyVittrack = 3;

// config.block_type
inline constexpr std::uint32_t kBlockVit = 0;  // pre-norm ViT block
inline constexpr std::uint32_t kBlockAF = 1;
inline constexpr std::uint32_t kBlockFAF = 2;
inline constexpr std::uint32_t kBlockGAF = 3;
inline constexpr std::uint32_t kBlockFGAF = 4;

// config.norm
inline constexpr std::uint32_t kNormLayerNorm = 0;
inline constexpr std::uint32_t kNormBatchNorm = 1;

// config.patch_embed
inline constexpr std::uint32_t kPatchConv3x3 = 0;   // 4 x conv3x3 s2 p1, C/8..C
inline constexpr std::uint32_t kPatchConv2x2 = 1;   // 4 x conv2x2 s2 p0, C/8..C
inline constexpr std::uint32_t kPatchStandard = 2;  // one conv16x16 s16

// config.head_kind
inline constexpr std::uint32_t kHeadCenter = 0;
inline constexpr std::uint32_t kHeadCorner = 1;

}  // namespace et::blob
