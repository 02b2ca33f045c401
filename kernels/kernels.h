// The kernel table: every hot op of the forward passes, once per ISA, chosen
// once at start-up. The reference table (kernels/ref) is the yardstick; the
// SIMD tables (kernels/simd, xsimd) are written once as templates over the
// xsimd architecture and instantiated per ISA in their own translation unit
// compiled with that ISA's flags.
//
// Shapes and strides are in kernels/shapes.h. Weights of linear layers are
// packed once at model load into the table's own layout (pack_linear); a
// network must use the same table for packing and running.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/isa.h"
#include "kernels/shapes.h"

namespace et {

enum class Activation { none, relu, gelu_erf, hardswish };

struct KernelTable {
  Isa isa;

  // Linear layers: w [out, in] (PyTorch layout) and bias [out] (null: zero)
  // are packed into packed_linear_floats(out, in) floats, 64-byte aligned.
  std::size_t (*packed_linear_floats)(int out, int in);
  void (*pack_linear)(const float* w, const float* bias, int out, int in, float* packed);
  // y = act(x w^T + bias), or y += act(x w^T + bias) when accumulate
  // (residual connections). x and y must not overlap.
  void (*linear)(const LinearShape& s, const float* x, const float* packed, Activation act, bool accumulate,
                 float* y);

  // CHW convolution, weight [out, in/groups, k, k] as stored, bias [out] or
  // null; y = act(conv(x) + bias). scratch: conv2d_scratch_floats(s,
  // threads) floats, room for `threads` OpenMP threads to work each in its
  // own part; a call runs on at most that many (its scratch's) threads.
  std::size_t (*conv2d_scratch_floats)(const Conv2dShape& s, int threads);
  void (*conv2d)(const Conv2dShape& s, const float* x, const float* weight, const float* bias, Activation act,
                 float* y, float* scratch, int threads);

  // Every head of one attention (see AttentionShape). scratch:
  // attention_scratch_floats(s, threads) floats, as conv2d's.
  std::size_t (*attention_scratch_floats)(const AttentionShape& s, int threads);
  void (*attention)(const AttentionShape& s, const float* q, const float* k, const float* v, float* out,
                    float* scratch, int threads);

  // Per row of `channels`: (x - mean) / sqrt(var + eps) * gamma + beta. x may equal y.
  void (*layer_norm)(const float* x, int rows, int channels, const float* gamma, const float* beta, float eps,
                     float* y);
  void (*activate)(Activation act, float* x, std::size_t n);            // in place
  void (*sigmoid_clip)(float* x, std::size_t n, float lo, float hi);    // in place
  // Soft-argmax of one [height, width] logit map (the corner head): prob =
  // softmax over all cells, expected = the mean cell coordinate under prob,
  // coordinate step*i + offset along each axis (x first); prob [height *
  // width] may equal logits. See ref::soft_argmax.
  void (*soft_argmax)(const float* logits, int height, int width, float step, float offset, float* prob,
                      float expected[2]);
  void (*add)(float* y, const float* x, std::size_t n);                 // y += x
  // y[c, r] = x[r, c] (x [rows, cols] -> y [cols, rows]); y += ... when accumulate.
  void (*transpose)(const float* x, int rows, int cols, bool accumulate, float* y);
  // n pixels of interleaved RGB bytes to three planes of n floats, bit for
  // bit the reference's arithmetic whatever the ISA (see RgbNormalization).
  void (*normalize_rgb)(const std::uint8_t* rgb, int n, const RgbNormalization& norm, float* const planes[3]);
};

// The table of one ISA; throws et::Error if this build or CPU cannot run it.
const KernelTable& kernel_table(Isa isa);

// The table networks use: the best runnable ISA, unless $ET_ISA names
// another (read once, at first use) or set_active_isa() chose one.
const KernelTable& active_kernels();
// For tests, studies and the CLI's --isa; throws et::Error if not runnable.
// Affects networks created afterwards.
void set_active_isa(Isa isa);

// Tables defined by the ISA translation units (only those compiled in).
const KernelTable& reference_kernel_table();
const KernelTable& avx2_kernel_table();
const KernelTable& avx512_kernel_table();
const KernelTable& neon_kernel_table();

}  // namespace et
