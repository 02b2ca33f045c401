// SIMD kernels, written once over xsimd::batch<float, Arch>. Include this
// header ONLY from a per-ISA translation unit compiled with that ISA's flags
// (kernels_avx2.cpp, kernels_avx512.cpp, kernels_neon.cpp), which
// instantiates SimdKernels<Arch>::table().
//
// Everything is built on one GEMM micro-kernel, f32_gemm_6x(2W):
//   C[6 rows, 2W columns] (+)= A[6, K] * Bp[K, 2W]
// A is read row-major with a stride and broadcast one element at a time; B is
// packed once into panels of NR = 2W columns, [K][NR] each, zero-padded, so
// each k step is two aligned vector loads and 12 independent FMAs (enough to
// cover the FMA latency on AVX2, 8 needed, and AVX-512, 4 needed). The
// epilogue adds a per-column or per-row bias, applies the activation and
// stores or accumulates (residual connections), partial tiles through a small
// buffer. Linear layers, attention (QK^T and PV per head) and convolutions
// (weights as A, an im2col panel of the input as B) all use it.
//
// Each output element is summed over k in one fixed order whatever the thread
// count, so results do not depend on the number of threads.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "kernels/kernels.h"
#include "kernels/openmp.h"

namespace et::simd {

template <class Arch>
struct SimdKernels {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int W = static_cast<int>(Batch::size);
  static constexpr int NR = 2 * W;  // panel width (columns of B per micro-tile)
  static constexpr int MR = 6;      // rows of A per micro-tile
  // Columns of the im2col panel built per convolution chunk (bounds scratch).
  static constexpr int kConvChunk = 16 * NR;
  // Query rows per attention block: the block's scores (12 x 320 keys,
  // 15 KiB) stay in L1 from the product through softmax to P V.
  static constexpr int kQueryBlock = 2 * MR;

  struct Epilogue {
    const float* column_bias = nullptr;  // [n], padded to a multiple of NR
    const float* row_bias = nullptr;     // [m]
    Activation act = Activation::none;
    bool accumulate = false;             // C += result (residual); not with an activation
  };

  // What a tile does at its end: add what C holds (a residual) before the
  // biases and activation, or after the activation.
  struct TileEpilogue {
    const float* column_bias;
    const float* row_bias;
    Activation act;
    bool add_before;
    bool add_after;
  };

  static int panels(int n) { return (n + NR - 1) / NR; }
  static int padded(int n) { return (n + W - 1) / W * W; }  // to whole vectors
  static std::size_t packed_b_floats(int k, int n) { return std::size_t(panels(n)) * k * NR; }

  // ---------------------------------------------------------------- packing

  // B given row-major as b[k][n] (stride ldb). A whole panel's rows go by
  // vector copies: attention packs V per head per run, and a memcpy call
  // per 16-float row was ~1% of vit-d12's update.
  static void pack_b_kn(const float* b, int ldb, int k, int n, float* out) {
    for (int j = 0; j < panels(n); ++j) {
      const int cols = std::min(NR, n - j * NR);
      float* panel = out + std::size_t(j) * k * NR;
      for (int p = 0; p < k; ++p) {
        const float* src = b + std::size_t(p) * ldb + j * NR;
        float* dst = panel + std::size_t(p) * NR;
        if (cols == NR) {
          Batch::load_unaligned(src).store_aligned(dst);
          Batch::load_unaligned(src + W).store_aligned(dst + W);
        } else {
          std::memcpy(dst, src, std::size_t(cols) * sizeof(float));
          std::fill(dst + cols, dst + NR, 0.0f);
        }
      }
    }
  }

  // B given transposed, bt[n][k] (stride ldbt): linear weights [out, in], keys [token, dim].
  // Each panel a transpose in register blocks (attention packs every head's
  // K^T per run: element by element, 6% of a 64-wide head), padding columns zero.
  static void pack_b_nk(const float* bt, int ldbt, int k, int n, float* out) {
    for (int j = 0; j < panels(n); ++j) {
      const int cols = std::min(NR, n - j * NR);
      float* panel = out + std::size_t(j) * k * NR;
      transpose_strided(bt + std::size_t(j) * NR * ldbt, ldbt, cols, k, false, panel, NR);
      for (int c = cols; c < NR; ++c)
        for (int p = 0; p < k; ++p) panel[std::size_t(p) * NR + c] = 0.0f;
    }
  }

  // -------------------------------------------------------------- epilogue

  static Batch activate(Activation act, Batch v) {
    activate<1>(act, &v);
    return v;
  }

  // The activation of N vectors in place. GELU runs them in lock step, four
  // at a time: one vector's GELU is a chain of ~30 dependent instructions,
  // whose latency the core cannot hide with one chain in flight.
  template <int N>
  static void activate(Activation act, Batch* v) {
    switch (act) {
      case Activation::none: return;
      case Activation::relu:
#pragma GCC unroll 16
        for (int i = 0; i < N; ++i) v[i] = xsimd::max(v[i], Batch(0.0f));
        return;
      case Activation::gelu_erf: return gelu_erf_in_groups<N>(v);
      case Activation::hardswish:
#pragma GCC unroll 16
        for (int i = 0; i < N; ++i) v[i] = hardswish(v[i]);
        return;
    }
  }

  static Batch hardswish(Batch v) {
    return v * xsimd::min(xsimd::max(v + Batch(3.0f), Batch(0.0f)), Batch(6.0f)) * Batch(1.0f / 6.0f);
  }

  template <int N>
  static void gelu_erf_in_groups(Batch* v) {
    if constexpr (N > 4) {
      gelu_erf<4>(v);
      gelu_erf_in_groups<N - 4>(v + 4);
    } else {
      gelu_erf<N>(v);
    }
  }

  // 2^t for t < 127: 2^k p(f) with k = round(t), f = t - k in [-1/2, 1/2]
  // and p a degree-6 fit of 2^f (relative error under 2^-22.8, evaluation
  // included; fitted by least squares on Chebyshev nodes). t is clamped at
  // -125 so that 2^k p stays a normal float: an exponent below that gives
  // about 2.4e-38 instead of less. No overflow or NaN checks: its callers
  // (softmax: x - max <= 0; GELU's erfc: -z^2 + P(t) <= 3e-8) never need
  // them, and it costs about half of xsimd::exp's instructions.
  static Batch exp2_below_127(Batch t) {
    exp2_below_127<1>(&t);
    return t;
  }

  // The same over N vectors in place, in lock step.
  template <int N>
  static void exp2_below_127(Batch* t) {
    using Int = xsimd::batch<std::int32_t, Arch>;
    constexpr float kCoefficients[] = {1.3399860e-3f, 9.6185198e-3f, 5.5503290e-2f, 2.4022646e-1f, 6.9314718e-1f,
                                       1.0f};
    Batch k[N] = {}, f[N] = {}, p[N] = {};
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) {
      t[i] = xsimd::max(t[i], Batch(-125.0f));
      k[i] = xsimd::nearbyint(t[i]);
      f[i] = t[i] - k[i];
      p[i] = Batch(1.5337577e-4f);
    }
#pragma GCC unroll 8
    for (float c : kCoefficients) {
#pragma GCC unroll 16
      for (int i = 0; i < N; ++i) p[i] = xsimd::fma(p[i], f[i], Batch(c));
    }
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) {  // p * 2^k, p in [0.7, 1.5]
      const Int scaled = xsimd::bitwise_cast<Int>(p[i]) + (xsimd::to_int(k[i]) << 23);
      t[i] = xsimd::bitwise_cast<Batch>(scaled);
    }
  }

  // GELU(x) = x Phi(x) = 0.5 x erfc(-x / sqrt 2), through erfc(z) for
  // z = |x| / sqrt 2 >= 0: t exp(-z^2 + P(t)), t = 1 / (1 + z / 2), the
  // Chebyshev fit of Numerical Recipes (section 6.2, erfcc), fractional error
  // below 1.2e-7 for every z >= 0; exp as 2^(log2(e) (P(t) - z^2)). Then
  // GELU = 0.5 x erfc(z) for x < 0 and x - 0.5 x erfc(z) for x >= 0, accurate
  // relative to GELU on both sides (no 1 + erf cancellation). About a third
  // of xsimd::erf's instructions, which evaluates both of its range branches.
  // P's coefficients carry the factor log2(e), its constant term the 0.5
  // (2^-1), and z^2 log2(e) is x^2 (-log2(e) / 2): three vectors live per
  // GELU (x, t, the sum) rather than four, so the four in lock step fit the
  // 16 registers (a chain of ~30 dependent operations, latency-bound).
  template <int N>
  static void gelu_erf(Batch* x) {
    constexpr float kCoefficients[] = {-1.18611491e+00f, 2.14747453e+00f, -1.63775313e+00f, 4.02321577e-01f,
                                       -2.68756866e-01f, 1.39630049e-01f, 5.39700627e-01f,  1.44272923e+00f,
                                       -2.82574821e+00f};
    Batch t[N] = {}, p[N] = {};
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) {
      t[i] = Batch(1.0f) / xsimd::fma(xsimd::abs(x[i]), Batch(3.53553385e-01f), Batch(1.0f));  // z / 2 = |x| / (2 sqrt 2)
      p[i] = Batch(2.46517301e-01f);
    }
#pragma GCC unroll 16
    for (float c : kCoefficients) {
#pragma GCC unroll 16
      for (int i = 0; i < N; ++i) p[i] = xsimd::fma(p[i], t[i], Batch(c));
    }
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) p[i] = xsimd::fma(x[i] * x[i], Batch(-7.21347511e-01f), p[i]);
    exp2_below_127<N>(p);  // 0.5 erfc(z) / t
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) {
      const Batch half_x_erfc = x[i] * t[i] * p[i];
      x[i] = xsimd::select(x[i] < Batch(0.0f), half_x_erfc, x[i] - half_x_erfc);
    }
  }

  static float activate(Activation act, float v) {
    alignas(64) float lane[W] = {};
    lane[0] = v;
    return activate(act, Batch::load_aligned(lane)).get(0);
  }

  // ---------------------------------------------------------- micro-kernel

  // Finishes a micro-tile: C[ROWS, cols] (+)= the accumulators, with the
  // biases, activation and residual of `ep`; cols <= NR. row0/col0 locate the
  // tile for the biases. Row by row; GELU, a long dependency chain per
  // vector, runs over the whole tile in lock step instead (four vectors at a
  // time: about twice the throughput of one chain).
  template <int ROWS>
  [[gnu::noinline]] static void store_tile(const Batch (&acc0)[ROWS], const Batch (&acc1)[ROWS], float* c, int ldc,
                                           int cols, int row0, int col0, const TileEpilogue& tile_ep) {
    // A copy: stores through C may alias anything (xsimd stores go through
    // may_alias types), so fields read through the reference were reloaded
    // for every row.
    const TileEpilogue ep = tile_ep;
    if (ep.act == Activation::gelu_erf) {
      Batch v[2 * ROWS], residual[2 * ROWS];
#pragma GCC unroll 8
      for (int r = 0; r < ROWS; ++r) tile_row_sums(acc0[r], acc1[r], c, ldc, cols, row0, col0, r, ep, v + 2 * r,
                                                   residual + 2 * r);
      activate<2 * ROWS>(ep.act, v);
#pragma GCC unroll 8
      for (int r = 0; r < ROWS; ++r) store_tile_row(v + 2 * r, residual + 2 * r, c, ldc, cols, r, ep);
      return;
    }
#pragma GCC unroll 8
    for (int r = 0; r < ROWS; ++r) {
      Batch v[2], residual[2];
      tile_row_sums(acc0[r], acc1[r], c, ldc, cols, row0, col0, r, ep, v, residual);
      activate<2>(ep.act, v);
      store_tile_row(v, residual, c, ldc, cols, r, ep);
    }
  }

  // The usual epilogues inline, the accumulators still in registers: a
  // whole tile, C added first (a residual with no activation) or not, the
  // biases, then ReLU, HardSwish or nothing. The same operations in the
  // same order as store_tile, which takes the accumulators through memory
  // and costs a call (16% of the zoo's first conv, K = 27 per tile; up to
  // 7% of a linear) and stays out of line for the rest (GELU, a residual
  // after the activation, partial tiles): inlined, its GELU path made fc1's
  // tiles slower. Returns false, having done nothing, for those.
  template <int ROWS>
  [[gnu::always_inline]] static bool store_tile_inline(const Batch (&acc0)[ROWS], const Batch (&acc1)[ROWS], float* c,
                                                      int ldc, int cols, int row0, int col0, const TileEpilogue& ep) {
    if (cols != NR || ep.add_after || ep.act == Activation::gelu_erf) return false;
    const float* column_bias = ep.column_bias;
    const float* row_bias = ep.row_bias;
    const bool add_before = ep.add_before;
    const Activation act = ep.act;
    Batch bias0(0.0f), bias1(0.0f);
    if (column_bias != nullptr) {
      bias0 = Batch::load_aligned(column_bias + col0);
      bias1 = Batch::load_aligned(column_bias + col0 + W);
    }
#pragma GCC unroll 8
    for (int r = 0; r < ROWS; ++r) {
      float* cr = c + std::size_t(r) * ldc;
      Batch v0 = acc0[r], v1 = acc1[r];
      if (add_before) {
        v0 += Batch::load_unaligned(cr);
        v1 += Batch::load_unaligned(cr + W);
      }
      if (column_bias != nullptr) {
        v0 += bias0;
        v1 += bias1;
      }
      if (row_bias != nullptr) {
        const Batch bias(row_bias[row0 + r]);
        v0 += bias;
        v1 += bias;
      }
      if (act == Activation::relu) {
        v0 = xsimd::max(v0, Batch(0.0f));
        v1 = xsimd::max(v1, Batch(0.0f));
      } else if (act == Activation::hardswish) {
        v0 = hardswish(v0);
        v1 = hardswish(v1);
      }
      v0.store_unaligned(cr);
      v1.store_unaligned(cr + W);
    }
    return true;
  }

  // Row r of a tile before its activation: v = the accumulators (+ C when
  // add_before) + the biases; residual = C's row when `ep` reads C.
  static void tile_row_sums(Batch acc0, Batch acc1, const float* c, int ldc, int cols, int row0, int col0, int r,
                            const TileEpilogue& ep, Batch* v, Batch* residual) {
    v[0] = acc0;
    v[1] = acc1;
    if (ep.add_before || ep.add_after) {
      const float* cr = c + std::size_t(r) * ldc;
      if (cols == NR) {
        residual[0] = Batch::load_unaligned(cr);
        residual[1] = Batch::load_unaligned(cr + W);
      } else {
        alignas(64) float buffer[NR] = {};
        std::copy(cr, cr + cols, buffer);
        residual[0] = Batch::load_aligned(buffer);
        residual[1] = Batch::load_aligned(buffer + W);
      }
      if (ep.add_before) {
        v[0] += residual[0];
        v[1] += residual[1];
      }
    } else {
      residual[0] = residual[1] = Batch(0.0f);  // unread
    }
    if (ep.column_bias != nullptr) {
      v[0] += Batch::load_aligned(ep.column_bias + col0);
      v[1] += Batch::load_aligned(ep.column_bias + col0 + W);
    }
    if (ep.row_bias != nullptr) {
      const Batch rb(ep.row_bias[row0 + r]);
      v[0] += rb;
      v[1] += rb;
    }
  }

  // Row r of a tile after its activation: + the residual when add_after, stored.
  static void store_tile_row(Batch* v, const Batch* residual, float* c, int ldc, int cols, int r,
                             const TileEpilogue& ep) {
    if (ep.add_after) {
      v[0] += residual[0];
      v[1] += residual[1];
    }
    float* cr = c + std::size_t(r) * ldc;
    if (cols == NR) {
      v[0].store_unaligned(cr);
      v[1].store_unaligned(cr + W);
    } else {
      alignas(64) float buffer[NR];
      v[0].store_aligned(buffer);
      v[1].store_aligned(buffer + W);
      std::copy(buffer, buffer + cols, cr);
    }
  }

  // acc = A[ROWS, k] * panel[k, NR]: the micro-kernel, 12 accumulators.
  // HALF: a panel's columns [0, W) only (acc1 stays zero), for a last panel
  // of at most W columns: N = 48 under AVX-512 is a panel and a half (the
  // zoo's proj, fc2 and P V), where the whole tile spent half its FMAs on
  // padding; six chains of FMAs are latency-bound, but take 4 cycles a step
  // instead of 6.
  template <int ROWS, bool HALF>
  [[gnu::always_inline]] static void accumulate_tile(int k, const float* a, int lda, const float* panel,
                                                     Batch (&acc0)[ROWS], Batch (&acc1)[ROWS]) {
#pragma GCC unroll 8
    for (int r = 0; r < ROWS; ++r) acc0[r] = acc1[r] = Batch(0.0f);
    for (int p = 0; p < k; ++p) {
      const Batch b0 = Batch::load_aligned(panel + std::size_t(p) * NR);
      if constexpr (HALF) {
#pragma GCC unroll 8
        for (int r = 0; r < ROWS; ++r) acc0[r] = xsimd::fma(Batch(a[std::size_t(r) * lda + p]), b0, acc0[r]);
      } else {
        const Batch b1 = Batch::load_aligned(panel + std::size_t(p) * NR + W);
#pragma GCC unroll 8
        for (int r = 0; r < ROWS; ++r) {
          const Batch av(a[std::size_t(r) * lda + p]);
          acc0[r] = xsimd::fma(av, b0, acc0[r]);
          acc1[r] = xsimd::fma(av, b1, acc1[r]);
        }
      }
    }
  }

  // C[ROWS, cols] (+)= A[ROWS, k] * panel[k, NR] and the epilogue; cols <= NR.
  template <int ROWS>
  [[gnu::noinline]] static void tile(int k, const float* a, int lda, const float* panel, float* c, int ldc, int cols,
                                     int row0, int col0, const TileEpilogue& ep) {
    Batch acc0[ROWS], acc1[ROWS];
    if (cols <= W) accumulate_tile<ROWS, true>(k, a, lda, panel, acc0, acc1);
    else accumulate_tile<ROWS, false>(k, a, lda, panel, acc0, acc1);
    if (store_tile_inline<ROWS>(acc0, acc1, c, ldc, cols, row0, col0, ep)) return;
    // Copies for the call: were acc0 / acc1 passed themselves, their address
    // taken would keep them in memory on every path (12 zero stores, 12
    // spills and reloads a tile). store_tile_inline is forced inline: as a
    // call it took them through memory too.
    Batch out0[ROWS], out1[ROWS];
#pragma GCC unroll 8
    for (int r = 0; r < ROWS; ++r) {
      out0[r] = acc0[r];
      out1[r] = acc1[r];
    }
    store_tile<ROWS>(out0, out1, c, ldc, cols, row0, col0, ep);
  }

  template <int ROWS>
  static void tile_rows(int rows, int k, const float* a, int lda, const float* panel, float* c, int ldc, int cols,
                        int row0, int col0, const TileEpilogue& ep) {
    if constexpr (ROWS > 1) {
      if (rows < ROWS) return tile_rows<ROWS - 1>(rows, k, a, lda, panel, c, ldc, cols, row0, col0, ep);
    }
    tile<ROWS>(k, a, lda, panel, c, ldc, cols, row0, col0, ep);
  }

  // Attention's products: C[ROWS, cols] = A[ROWS, k] * panel[k, NR], no
  // epilogue, whole K. Their own tile, inlined whole into product(): a
  // tile shared with the linears' epilogues was a call there, 4-7% of a
  // head (K = 16-64 per score tile).
  template <int ROWS>
  [[gnu::always_inline]] static void product_tile(int k, const float* a, int lda, const float* panel, float* c,
                                                  int ldc, int cols) {
    Batch acc0[ROWS], acc1[ROWS];
    if (cols <= W) accumulate_tile<ROWS, true>(k, a, lda, panel, acc0, acc1);
    else accumulate_tile<ROWS, false>(k, a, lda, panel, acc0, acc1);
#pragma GCC unroll 8
    for (int r = 0; r < ROWS; ++r) {
      float* cr = c + std::size_t(r) * ldc;
      if (cols == NR) {
        acc0[r].store_unaligned(cr);
        acc1[r].store_unaligned(cr + W);
      } else {
        alignas(64) float buffer[NR];
        acc0[r].store_aligned(buffer);
        acc1[r].store_aligned(buffer + W);
        std::copy(buffer, buffer + cols, cr);
      }
    }
  }

  template <int ROWS>
  [[gnu::always_inline]] static void product_tile_rows(int rows, int k, const float* a, int lda, const float* panel,
                                                       float* c, int ldc, int cols) {
    if constexpr (ROWS > 1) {
      if (rows < ROWS) return product_tile_rows<ROWS - 1>(rows, k, a, lda, panel, c, ldc, cols);
    }
    product_tile<ROWS>(k, a, lda, panel, c, ldc, cols);
  }

  // C[m, n] = A[m, k] * B[k, n], B packed, serially, K whole (a query
  // block's one or two row blocks read a B slice once or twice: partial
  // sums through C would not repay). Columns [n, stored) of C's rows
  // receive the zero-padded B columns' products, so the scores' padded
  // rows take whole tiles.
  static void product(int m, int n, int k, const float* a, int lda, const float* packed_b, float* c, int ldc,
                      int stored) {
    for (int j = 0; j < panels(n); ++j)
      for (int i = 0; i < m; i += MR)
        product_tile_rows<MR>(std::min(MR, m - i), k, a + std::size_t(i) * lda, lda, packed_b + std::size_t(j) * k * NR,
                              c + std::size_t(i) * ldc + j * NR, ldc, std::min(NR, stored - j * NR));
  }

  // body(o, i) for o in [0, outer), i in [0, inner), shared out among the
  // OpenMP threads when `parallel`. A serial call opens no parallel region,
  // nor does one that would get a single thread (openmp_region_has_team):
  // entering one costs about a microsecond (a tenth of a LayerNorm's time).
  // With one thread, these regions gone and the tiles' accumulators kept in
  // registers, the zoo's update ran 3.4% faster and vit-d12c256's 1.9%
  // (paired, interleaved rounds). The nested loops spare a division per
  // call to find (o, i) from one index (a 6 x 16 tile of K = 48 is ~300
  // cycles; the division cost a tenth).
  template <class Body>
  static void for_each_tile_2d(int outer, int inner, bool parallel, const Body& body) {
    if (parallel && openmp_region_has_team()) {
#pragma omp parallel for collapse(2) schedule(static)
      for (int o = 0; o < outer; ++o)
        for (int i = 0; i < inner; ++i) body(o, i);
    } else {
      for (int o = 0; o < outer; ++o)
        for (int i = 0; i < inner; ++i) body(o, i);
    }
  }

  // Row-wise kernels (the GEMMs, LayerNorm) share their rows out among
  // threads the same way, in whole blocks of MR rows: thread t of T takes
  // the t-th of T contiguous, even runs of row blocks. So from one op to the
  // next (LayerNorm, qkv; proj + residual, LayerNorm, fc1, fc2 + residual)
  // each row stays in the caches of the core that wrote it. Reading lines
  // another core wrote is slow: on a 2-vCPU Zen 5 guest ~7 GB/s, so a
  // 321 x 256 activation written by one thread and read by the other cost
  // ~25 us (a GEMM split by column panels read half of A that way; 2
  // threads ran d12c256's FFN 1.62x faster than one, split by rows 1.77x).
  // body(first, last) runs once per thread with its run of [0, row_blocks),
  // or once with all of it when not `parallel` (or on one thread, as
  // for_each_tile_2d).
  template <class Body>
  static void for_each_row_run(int row_blocks, bool parallel, const Body& body) {
    if (!parallel || !openmp_region_has_team()) return body(0, row_blocks);
#pragma omp parallel
    {
      const int t = openmp_thread_index(), threads = openmp_team_size();
      const int first = run_start(row_blocks, t, threads), last = run_start(row_blocks, t + 1, threads);
      if (first < last) body(first, last);
    }
  }

  // Where run i of `runs` even, contiguous runs of [0, count) starts (i = runs: count).
  static int run_start(int count, int i, int runs) { return static_cast<int>(std::int64_t(count) * i / runs); }

  // Whether runs of row blocks share `row_blocks` out evenly enough among
  // the threads a parallel region will get: the longest run at most 1/8
  // longer than the mean (54 row blocks: up to 8 threads; on 16, runs of 3
  // and 4 would leave threads idle for a sixth of the time, and the tiles
  // go one by one instead).
  static bool even_row_runs(int row_blocks) {
    const int threads = openmp_max_threads();
    const int longest = (row_blocks + threads - 1) / threads;
    return std::int64_t(longest) * threads * 8 <= std::int64_t(row_blocks) * 9;
  }

  // C[m, n] (+)= A[m, k] * B[k, n] with B packed by pack_b_*. Each tile
  // sums its whole K at once: a panel longer than L1 streams from L2 per
  // row block, which measured faster than cutting K into L1-sized slices
  // whose partial sums pass through C (K = 1024: 9% faster; K = 512: 5%;
  // K <= 256, one slice either way: the same). The tiles (panel, row
  // block) are independent and shared out among threads when the product
  // is large; each output is summed in one fixed order, so a row's result
  // depends neither on threads nor on the rows run with it (a batch of
  // crops).
  //
  // Order: panel by panel, every row block under each, while A fits in
  // kGemmABytes: A then stays in L2 for every panel. A larger A (the
  // wide-K linears: FFN fc2 [321, 1024], 1.3 MB) would come from L3 once
  // per panel; there the panels go in groups whose B fits in kGemmABytes,
  // and each row block runs all of its group's panels in a row, so A is
  // read from L3 once per group and the row block's A stays in L1 or L2
  // across the group's tiles.
  static constexpr std::size_t kGemmABytes = 256 * 1024;

  static int panel_group(int m, int k, int n) {
    if (std::size_t(m) * k * sizeof(float) <= kGemmABytes) return 1;
    const std::size_t panel_bytes = std::size_t(k) * NR * sizeof(float);
    return std::clamp(static_cast<int>(kGemmABytes / panel_bytes), 1, panels(n));
  }

  static void gemm(int m, int n, int k, const float* a, int lda, const float* packed_b, float* c, int ldc,
                   const Epilogue& ep) {
    const int row_blocks = (m + MR - 1) / MR;
    const int group = panel_group(m, k, n), groups = (panels(n) + group - 1) / group;
    const int tiles = panels(n) * row_blocks;
    // C is added before the activation (a residual with none) or after it.
    const bool residual_after_act = ep.accumulate && ep.act != Activation::none;
    const TileEpilogue tile_ep{ep.column_bias, ep.row_bias, ep.act, ep.accumulate && !residual_after_act,
                               residual_after_act};
    const bool parallel = tiles > 1 && std::size_t(m) * n * k > 200000;
    const auto group_tiles = [&](int g, int row_block) {
      const int i = row_block * MR, last = std::min(panels(n), (g + 1) * group);
      for (int j = g * group; j < last; ++j)
        tile_rows<MR>(std::min(MR, m - i), k, a + std::size_t(i) * lda, lda, packed_b + std::size_t(j) * k * NR,
                      c + std::size_t(i) * ldc + j * NR, ldc, std::min(NR, n - j * NR), i, j * NR, tile_ep);
    };
    if (parallel && !even_row_runs(row_blocks)) return for_each_tile_2d(groups, row_blocks, true, group_tiles);
    for_each_row_run(row_blocks, parallel, [&](int first, int last) {
      for (int g = 0; g < groups; ++g)
        for (int row_block = first; row_block < last; ++row_block) group_tiles(g, row_block);
    });
  }

  // ----------------------------------------------------------------- linear

  // Layout: the packed panels of w^T ([in][out] in NR-column panels), then the
  // bias padded to panels(out) * NR.
  static std::size_t packed_linear_floats(int out, int in) {
    return packed_b_floats(in, out) + std::size_t(panels(out)) * NR;
  }

  static void pack_linear(const float* w, const float* bias, int out, int in, float* packed) {
    pack_b_nk(w, in, in, out, packed);
    float* b = packed + packed_b_floats(in, out);
    for (int j = 0; j < panels(out) * NR; ++j) b[j] = (bias != nullptr && j < out) ? bias[j] : 0.0f;
  }

  static void linear(const LinearShape& s, const float* x, const float* packed, Activation act, bool accumulate,
                     float* y) {
    Epilogue ep;
    ep.column_bias = packed + packed_b_floats(s.in, s.out);
    ep.act = act;
    ep.accumulate = accumulate;
    gemm(s.rows, s.out, s.in, x, s.ldx, packed, y, s.ldy, ep);
  }

  // ------------------------------------------------------------ convolution

  static int conv_k(const Conv2dShape& s) { return (s.in_channels / s.groups) * s.kernel * s.kernel; }

  // Kernels up to 3x3 with stride 1 or 2 (every stem and head conv but the
  // 16x16 patch embedding) run directly on the input; the rest through
  // im2col panels and the GEMM.
  static bool direct_conv(const Conv2dShape& s) {
    return s.kernel >= 1 && s.kernel <= 3 && (s.stride == 1 || s.stride == 2);
  }

  static std::size_t conv2d_scratch_floats(const Conv2dShape& s, int threads) {
    if (direct_conv(s)) return std::size_t(std::max(1, threads)) * PhasePlanes(s).floats();
    const int positions = s.out_height() * s.out_width();
    return packed_b_floats(conv_k(s), std::min(positions, kConvChunk));
  }

  // The im2col panels of output positions [first, first + count) of one
  // group: B[kk][pos], kk = (ic, ky, kx), zero outside the input. Each panel
  // row is written contiguously, in runs of positions that share an output
  // row (one strided read of one input row each).
  static void pack_im2col(const Conv2dShape& s, const float* x, int first_channel, int first, int count,
                          float* out) {
    const int ow = s.out_width(), ks = s.kernel, in_per_group = s.in_channels / s.groups;
    const int k = conv_k(s);
    for (int j = 0; j < panels(count); ++j) {
      float* panel = out + std::size_t(j) * k * NR;
      const int p0 = first + j * NR, cols = std::min(NR, count - j * NR);
      int kk = 0;
      for (int ic = 0; ic < in_per_group; ++ic) {
        const float* plane = x + std::size_t(first_channel + ic) * s.in_height * s.in_width;
        for (int ky = 0; ky < ks; ++ky) {
          for (int kx = 0; kx < ks; ++kx, ++kk) {
            float* dst = panel + std::size_t(kk) * NR;
            for (int c = 0; c < cols;) {
              const int oy = (p0 + c) / ow, ox0 = (p0 + c) % ow;
              const int run = std::min(cols - c, ow - ox0);
              const int iy = oy * s.stride - s.pad + ky;
              if (iy < 0 || iy >= s.in_height) {
                std::fill(dst + c, dst + c + run, 0.0f);
              } else {
                // ix = ix0 + r*stride is inside [0, in_width) for r in [lo, hi).
                const float* row = plane + std::size_t(iy) * s.in_width;
                const int ix0 = ox0 * s.stride - s.pad + kx;
                const int lo = std::min(run, ix0 >= 0 ? 0 : (-ix0 + s.stride - 1) / s.stride);
                const int hi = std::max(lo, std::min(run, ix0 >= s.in_width ? 0 : (s.in_width - ix0 + s.stride - 1) / s.stride));
                float* d = dst + c;
                std::fill(d, d + lo, 0.0f);
                if (s.stride == 1) {
                  std::copy(row + ix0 + lo, row + ix0 + hi, d + lo);
                } else {
                  const float* src = row + ix0;
                  for (int r = lo; r < hi; ++r) d[r] = src[r * s.stride];
                }
                std::fill(d + hi, d + run, 0.0f);
              }
              c += run;
            }
            std::fill(dst + cols, dst + NR, 0.0f);
          }
        }
      }
    }
  }

  // Y[out_c, positions] = W[out_c, k] * im2col[k, positions] per group and
  // chunk of positions; Y is CHW.
  static void conv2d_im2col(const Conv2dShape& s, const float* x, const float* weight, const float* bias,
                            Activation act, float* y, float* scratch) {
    const int positions = s.out_height() * s.out_width();
    const int k = conv_k(s), out_per_group = s.out_channels / s.groups;
    for (int g = 0; g < s.groups; ++g) {
      Epilogue ep;
      ep.row_bias = bias != nullptr ? bias + g * out_per_group : nullptr;
      ep.act = act;
      for (int first = 0; first < positions; first += kConvChunk) {
        const int count = std::min(kConvChunk, positions - first);
        pack_im2col(s, x, g * (s.in_channels / s.groups), first, count, scratch);
        gemm(out_per_group, count, k, weight + std::size_t(g) * out_per_group * k, k, scratch,
             y + std::size_t(g) * out_per_group * positions + first, positions, ep);
      }
    }
  }

  // The direct convolution reads its input from "phase planes": per input
  // channel, zero-padded input rows with each row split into `stride`
  // phases, phase q holding padded columns q, q + stride, ... Then input
  // column ox*stride + kx (padded) of every output column ox of a tile is one
  // contiguous run: phase kx % stride from column ox + kx / stride, so each
  // tap of the kernel is one unaligned vector load per W outputs, and no
  // im2col panel is built. Layout [in_c][padded row][phase][pitch]; the pitch
  // leaves room for the last tile's over-read (zeros).
  //
  // The planes hold one band of output rows at a time (the padded input rows
  // it reads, kBandBytes at most, so they stay in L2 while every tile of the
  // band reads them): a 32-channel 128x128 input would otherwise make 2.4 MB
  // of planes, streamed from L3 once per block of output channels.
  static constexpr std::size_t kBandBytes = 192 * 1024;

  // Output rows exactly one vector wide (the 16x16 maps of the heads and
  // the stems' last stage under AVX-512; 8x8 under AVX2): a tile takes two
  // output rows instead of one row and a vector of padding. Its second
  // vector's taps come from the next output row's input rows (ST padded
  // rows further down), and since ow == W that row's outputs follow the
  // first's in memory (Y is CHW), so the tile stores as a 2W-wide one. Each
  // output is the same sum in the same order either way.
  static bool row_pair_tiles(const Conv2dShape& s) { return s.out_width() == W && s.out_height() > 1; }

  struct PhasePlanes {
    int phase_pitch, row_pitch;
    int band_out_rows;  // output rows per band
    int rows;           // padded input rows per band
    std::size_t channel_pitch;
    int channels;

    explicit PhasePlanes(const Conv2dShape& s)
        : phase_pitch(padded(std::max((s.in_width + 2 * s.pad + s.stride - 1) / s.stride,
                                      panels(s.out_width()) * NR + (s.kernel - 1) / s.stride))),
          row_pitch(s.stride * phase_pitch),
          band_out_rows(whole_tiles(s, std::clamp(static_cast<int>(kBandBytes / sizeof(float) /
                                                                  (std::size_t(s.in_channels) * s.stride * row_pitch)),
                                                 1, s.out_height()))),
          rows(std::min(band_out_rows * s.stride + std::max(0, s.kernel - s.stride), s.in_height + 2 * s.pad)),
          channel_pitch(std::size_t(rows) * row_pitch),
          channels(s.in_channels) {}

    // Whole 64-byte lines, so each thread's planes start on a line of their own.
    std::size_t floats() const { return (channels * channel_pitch + 15) / 16 * 16; }

    // With row-pair tiles, bands of an even number of rows (but the last).
    static int whole_tiles(const Conv2dShape& s, int rows) {
      return row_pair_tiles(s) && rows > 1 && rows < s.out_height() ? rows & ~1 : rows;
    }
  };

  // even = x[0], x[2], ..., x[2W-2] and odd = x[1], x[3], ..., x[2W-1]: one
  // instruction per result where the ISA has one (xsimd 8 has no unzip). The
  // compiler's own vectorisation of a stride-2 copy used two lane-crossing
  // permutes and a blend per result and read the row twice, once per phase:
  // the stem's first fill (3 x 256 x 256) took 60 us, now 44 (a plain copy
  // of the same rows: 43).
  static void load_deinterleaved(const float* x, Batch& even, Batch& odd) {
#if defined(__x86_64__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) {
      const __m512 a = _mm512_loadu_ps(x), b = _mm512_loadu_ps(x + 16);
      const __m512i even_index = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
      even = _mm512_permutex2var_ps(a, even_index, b);
      odd = _mm512_permutex2var_ps(a, _mm512_add_epi32(even_index, _mm512_set1_epi32(1)), b);
      return;
    } else if constexpr (std::is_base_of_v<xsimd::avx2, Arch>) {
      // 128-bit halves [x0..3 | x8..11] and [x4..7 | x12..15]: then one
      // in-lane shuffle gives each result in order.
      const __m256 low = _mm256_loadu2_m128(x + 8, x), high = _mm256_loadu2_m128(x + 12, x + 4);
      even = _mm256_shuffle_ps(low, high, 0x88);
      odd = _mm256_shuffle_ps(low, high, 0xDD);
      return;
    }
#endif
#if defined(__aarch64__)
    if constexpr (std::is_base_of_v<xsimd::neon64, Arch>) {
      const float32x4x2_t v = vld2q_f32(x);
      even = v.val[0];
      odd = v.val[1];
      return;
    }
#endif
    alignas(64) float lanes[2][W];
    for (int i = 0; i < W; ++i) {
      lanes[0][i] = x[2 * i];
      lanes[1][i] = x[2 * i + 1];
    }
    even = Batch::load_aligned(lanes[0]);
    odd = Batch::load_aligned(lanes[1]);
  }

  // One input row of w floats into its two stride-2 phase rows, in one pass:
  // padded column c + pad is column (c + pad) / 2 of phase (c + pad) % 2, so
  // the even input columns go to one phase and the odd ones to the other.
  static void split_row_stride2(const float* src, int w, int pad, float* phases, int phase_pitch) {
    float* even_dst = phases + (pad % 2) * phase_pitch + pad / 2;
    float* odd_dst = phases + ((pad + 1) % 2) * phase_pitch + (pad + 1) / 2;
    int m = 0;
    for (; 2 * (m + W) <= w; m += W) {
      Batch even, odd;
      load_deinterleaved(src + 2 * m, even, odd);
      even.store_unaligned(even_dst + m);
      odd.store_unaligned(odd_dst + m);
    }
    for (; 2 * m < w; ++m) {
      even_dst[m] = src[2 * m];
      if (2 * m + 1 < w) odd_dst[m] = src[2 * m + 1];
    }
  }

  // Every phase row is zeroed (GCC makes zero_row's loop a memset call),
  // then its columns inside the input are copied over. Zeroing only the
  // padding columns instead measured no faster (perf: the fill's share of
  // the zoo's first conv unchanged): a row's first stores pay for its cache
  // lines, zeros or data.
  // Padded input rows [first_row, first_row + count) into plane rows [0, count).
  static void fill_phase_planes(const Conv2dShape& s, const PhasePlanes& pp, const float* x, int first_row,
                                int count, float* planes) {
    const int st = s.stride, w = s.in_width;  // st: 1 or 2 (direct_conv)
    for (int ic = 0; ic < s.in_channels; ++ic)
      for (int r = 0; r < count; ++r) {
        float* const dst_row = planes + ic * pp.channel_pitch + std::size_t(r) * pp.row_pitch;
        zero_row(dst_row, pp.row_pitch);
        const int iy = first_row + r - s.pad;
        if (iy < 0 || iy >= s.in_height) continue;
        const float* src = x + (std::size_t(ic) * s.in_height + iy) * w;
        if (st == 2) split_row_stride2(src, w, s.pad, dst_row, pp.phase_pitch);
        else copy_row(src, w, dst_row + s.pad);  // stride 1: one phase, the row shifted by the padding
      }
  }

  // The row loops take their bounds and pointers as arguments, not through
  // the caller's captured references: a vector store may alias anything
  // (xsimd stores through may_alias types), so a bound read through a
  // reference was reloaded after every store (perf: a fifth of the fill).
  static void zero_row(float* row, int n) {  // n: whole vectors
    const Batch zero(0.0f);
    for (int j = 0; j < n; j += W) zero.store_unaligned(row + j);
  }

  static void copy_row(const float* src, int n, float* dst) {
    int j = 0;
    for (; j + W <= n; j += W) Batch::load_unaligned(src + j).store_unaligned(dst + j);
    for (; j < n; ++j) dst[j] = src[j];
  }

  // C[ROWS, cols] (+)= W[ROWS, channels * KS * KS] * the taps of the phase
  // planes; b points at the tile's origin in the first channel's planes. Tap
  // (ky, kx) is plane row ky, phase kx % ST, column kx / ST. The kernel side
  // and stride are compile-time so each tap's address is a row pointer plus
  // a constant or one phase pitch: no table of offsets to keep in registers
  // next to the six weight rows. But 2x2 taps run as a loop over a table of
  // their offsets: unrolled (GCC unrolls a known count whatever the pragma),
  // the next tap's two loads went ahead of this one's FMAs, one register more
  // than 16, and a vector went to the stack and back on every tap (the
  // conv2x2 stems' 32->64 to 128->256: 71-81% of peak, as a loop 76-90%;
  // the 3x3 convs measured slower as a loop).
  // acc += one tap: the inputs at bp and bp + second (W: one row's 2W
  // columns; ST padded rows: a row pair's) times the tap's weight of each
  // row (w[r * lda]).
  template <int ROWS>
  [[gnu::always_inline]] static void conv_tap(const float* bp, std::ptrdiff_t second, const float* w, int lda,
                                              Batch (&acc0)[ROWS], Batch (&acc1)[ROWS]) {
    const Batch b0 = Batch::load_unaligned(bp);
    const Batch b1 = Batch::load_unaligned(bp + second);
#pragma GCC unroll 8
    for (int r = 0; r < ROWS; ++r) {
      const Batch av(w[std::size_t(r) * lda]);
      acc0[r] = xsimd::fma(av, b0, acc0[r]);
      acc1[r] = xsimd::fma(av, b1, acc1[r]);
    }
  }

  // PAIR: a row-pair tile (row_pair_tiles), cols = 2W.
  template <int ROWS, int KS, int ST, bool PAIR>
  static void conv_tile(int channels, const float* a, int lda, const float* b, std::size_t channel_pitch,
                        int row_pitch, int phase_pitch, float* c, int ldc, int cols, int row0,
                        const TileEpilogue& ep) {
    constexpr int kTaps = KS * KS;
    const std::ptrdiff_t second = PAIR ? std::ptrdiff_t(ST) * row_pitch : W;
    Batch acc0[ROWS], acc1[ROWS];
#pragma GCC unroll 8
    for (int r = 0; r < ROWS; ++r) acc0[r] = acc1[r] = Batch(0.0f);
    if constexpr (KS == 2) {
      int tap_offset[kTaps];
      for (int t = 0; t < kTaps; ++t) tap_offset[t] = (t / KS) * row_pitch + (t % KS % ST) * phase_pitch + t % KS / ST;
      int taps = kTaps;
      asm("" : "+r"(taps));  // an opaque count: the loop stays a loop
      for (int ic = 0; ic < channels; ++ic) {
        const float* bc = b + ic * channel_pitch;
        const float* ac = a + ic * kTaps;
        for (int t = 0; t < taps; ++t) conv_tap<ROWS>(bc + tap_offset[t], second, ac + t, lda, acc0, acc1);
      }
    } else {
      for (int ic = 0; ic < channels; ++ic) {
        const float* bc = b + ic * channel_pitch;
        const float* ac = a + ic * kTaps;
#pragma GCC unroll 3
        for (int ky = 0; ky < KS; ++ky) {
          const float* brow = bc + std::size_t(ky) * row_pitch;
#pragma GCC unroll 3
          for (int kx = 0; kx < KS; ++kx)
            conv_tap<ROWS>(brow + (kx % ST) * phase_pitch + kx / ST, second, ac + ky * KS + kx, lda, acc0, acc1);
        }
      }
    }
    if (store_tile_inline<ROWS>(acc0, acc1, c, ldc, cols, row0, 0, ep)) return;
    store_tile<ROWS>(acc0, acc1, c, ldc, cols, row0, 0, ep);
  }

  template <int ROWS, int KS, int ST, bool PAIR>
  static void conv_tile_rows(int rows, int channels, const float* a, int lda, const float* b,
                             std::size_t channel_pitch, int row_pitch, int phase_pitch, float* c, int ldc, int cols,
                             int row0, const TileEpilogue& ep) {
    if constexpr (ROWS > 1) {
      if (rows < ROWS)
        return conv_tile_rows<ROWS - 1, KS, ST, PAIR>(rows, channels, a, lda, b, channel_pitch, row_pitch,
                                                      phase_pitch, c, ldc, cols, row0, ep);
    }
    conv_tile<ROWS, KS, ST, PAIR>(channels, a, lda, b, channel_pitch, row_pitch, phase_pitch, c, ldc, cols, row0,
                                  ep);
  }

  // Threads share a conv out as a grid: runs of tile rows (one output row,
  // or a row pair) times runs of out-channel blocks, with as many row runs
  // as leave each at least two tile rows. Each thread works through its own
  // rows band by band in its own part of the scratch (PhasePlanes(s).floats()
  // each), filling the planes it reads itself: no barrier between fill and
  // tiles, and with the rows split the same way in consecutive convs, each
  // core reads the input rows it wrote (lines another core wrote come at ~7
  // GB/s on a 2-vCPU Zen 5 guest). Threads of one row run each fill their
  // own copy of its planes. Shared by band instead (the fill's rows, then
  // the band's tiles, each in a parallel loop), 2 threads ran the conv2x2
  // stem 1.1x faster than one and 256->256 16px 1.5x; this way 1.5-1.8x
  // and 2.0x.
  struct ConvGrid {
    int row_runs, block_runs;
  };

  static ConvGrid conv_grid(int threads, int tile_rows) {
    int row_runs = threads;
    while (row_runs > 1 && (threads % row_runs != 0 || tile_rows < 2 * row_runs)) --row_runs;
    return {row_runs, threads / row_runs};
  }

  // Convs below this many MACs run on one thread: the zoo's 2.6 M MAC stem
  // stages (~30 us) ran slower on 2 threads than on one.
  static constexpr std::size_t kConvParallelMacs = 3000000;

  // Each tile sums the whole reduction (every input channel of the group and
  // tap) in one fixed order: results depend neither on threads nor on bands.
  // threads: the threads `scratch` has room for (conv2d_scratch_floats).
  template <int KS, int ST>
  static void conv2d_direct(const Conv2dShape& s, const float* x, const float* weight, const float* bias,
                            Activation act, float* y, float* scratch, int threads) {
    const PhasePlanes pp(s);
    const int oh = s.out_height(), ow = s.out_width(), positions = oh * ow;
    const int in_per_group = s.in_channels / s.groups, out_per_group = s.out_channels / s.groups;
    const int lda = in_per_group * KS * KS;
    const int row_blocks = (out_per_group + MR - 1) / MR;
    const TileEpilogue ep{nullptr, nullptr, act, false, false};
    const int padded_rows = s.in_height + 2 * s.pad;
    const int tile_out_rows = row_pair_tiles(s) ? 2 : 1;
    const int tile_rows = (oh + tile_out_rows - 1) / tile_out_rows;
    // Output rows [oy_begin, oy_end) (whole tiles) of out-channel blocks
    // [block_begin, block_end) of every group, with phase planes at `planes`.
    const auto run = [&](int oy_begin, int oy_end, int block_begin, int block_end, float* planes) {
      for (int oy0 = oy_begin; oy0 < oy_end; oy0 += pp.band_out_rows) {
        const int band_rows = std::min(pp.band_out_rows, oy_end - oy0);
        const int first_row = oy0 * ST;
        fill_phase_planes(s, pp, x, first_row, std::min(pp.rows, padded_rows - first_row), planes);
        for (int g = 0; g < s.groups; ++g) {
          TileEpilogue tile_ep = ep;
          tile_ep.row_bias = bias != nullptr ? bias + g * out_per_group : nullptr;
          const float* group_planes = planes + std::size_t(g) * in_per_group * pp.channel_pitch;
          for (int oy = 0; oy < band_rows; oy += tile_out_rows)
            for (int row_block = block_begin; row_block < block_end; ++row_block) {
              const int i = row_block * MR, rows = std::min(MR, out_per_group - i);
              const float* a = weight + (std::size_t(g) * out_per_group + i) * lda;
              const float* b = group_planes + std::size_t(oy) * ST * pp.row_pitch;
              float* c = y + (std::size_t(g) * out_per_group + i) * positions + (oy0 + oy) * ow;
              if (tile_out_rows == 2 && oy + 1 < band_rows) {
                conv_tile_rows<MR, KS, ST, true>(rows, in_per_group, a, lda, b, pp.channel_pitch, pp.row_pitch,
                                                 pp.phase_pitch, c, positions, NR, i, tile_ep);
                continue;
              }
              for (int ox0 = 0; ox0 < ow; ox0 += NR)
                conv_tile_rows<MR, KS, ST, false>(rows, in_per_group, a, lda, b + ox0, pp.channel_pitch,
                                                  pp.row_pitch, pp.phase_pitch, c + ox0, positions,
                                                  std::min(NR, ow - ox0), i, tile_ep);
            }
        }
      }
    };
    const int team = std::min(openmp_max_threads(), threads);
    const bool parallel = team > 1 && tile_rows * row_blocks > 1 &&
                          std::size_t(s.out_channels) * positions * lda >= kConvParallelMacs;
    if (!parallel) return run(0, oh, 0, row_blocks, scratch);
#pragma omp parallel num_threads(team)
    {
      // The team OpenMP gave (fewer than asked when nested, say).
      const ConvGrid grid = conv_grid(openmp_team_size(), tile_rows);
      const int t = openmp_thread_index(), row_run = t / grid.block_runs, block_run = t % grid.block_runs;
      const int tile_begin = run_start(tile_rows, row_run, grid.row_runs);
      const int tile_end = run_start(tile_rows, row_run + 1, grid.row_runs);
      const int block_begin = run_start(row_blocks, block_run, grid.block_runs);
      const int block_end = run_start(row_blocks, block_run + 1, grid.block_runs);
      if (tile_begin < tile_end && block_begin < block_end)
        run(tile_begin * tile_out_rows, std::min(oh, tile_end * tile_out_rows), block_begin, block_end,
            scratch + std::size_t(t) * pp.floats());
    }
  }

  static void conv2d(const Conv2dShape& s, const float* x, const float* weight, const float* bias, Activation act,
                     float* y, float* scratch, int threads) {
    if (!direct_conv(s)) return conv2d_im2col(s, x, weight, bias, act, y, scratch);
    switch (s.kernel * 10 + s.stride) {
      case 11: return conv2d_direct<1, 1>(s, x, weight, bias, act, y, scratch, threads);
      case 12: return conv2d_direct<1, 2>(s, x, weight, bias, act, y, scratch, threads);
      case 21: return conv2d_direct<2, 1>(s, x, weight, bias, act, y, scratch, threads);
      case 22: return conv2d_direct<2, 2>(s, x, weight, bias, act, y, scratch, threads);
      case 31: return conv2d_direct<3, 1>(s, x, weight, bias, act, y, scratch, threads);
      default: return conv2d_direct<3, 2>(s, x, weight, bias, act, y, scratch, threads);
    }
  }

  // -------------------------------------------------------------- attention

  // Per thread: one head's packed K^T [key_dim][keys] and V [keys][value_dim],
  // then one block's scores [kQueryBlock][keys, padded to whole panels so
  // QK^T stores whole tiles]. A block's scores live from its QK^T to its P
  // V only, so a thread reuses one block of them, hot in L1, for every
  // block it runs. (Scores for every query of every head, each block in its
  // own rows, were 1.8 MB per d12c256 attention, written to fresh lines
  // block after block: on one thread the attention blocks ran 1-2% slower
  // that way; on two the zoo's ran 2% faster, the large models' the same.)
  static std::size_t attention_head_floats(const AttentionShape& s) {
    return packed_b_floats(s.key_dim, s.keys) + packed_b_floats(s.keys, s.value_dim);
  }

  static std::size_t attention_block_floats(const AttentionShape& s) {
    return std::size_t(kQueryBlock) * panels(s.keys) * NR;
  }

  static std::size_t attention_scratch_floats(const AttentionShape& s, int threads) {
    return std::size_t(std::max(1, threads)) * (attention_head_floats(s) + attention_block_floats(s));
  }

  // {0, 1, ..., W - 1}
  static Batch lane_index() {
    alignas(64) static constexpr float kLanes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    static_assert(W <= 16);
    return Batch::load_aligned(kLanes);
  }

  // Lane i takes lane i ^ D: neighbouring groups of D lanes swap.
  template <unsigned D>
  struct LaneSwap {
    static constexpr std::uint32_t get(unsigned i, unsigned) { return i ^ D; }
  };

  // The max over v's lanes, in every lane: log2(W) swizzle and max steps
  // (xsimd 8.1 has hadd but no reduce_max; a store and a scalar loop over
  // the lanes made a chain of W dependent compares per softmax row).
  template <unsigned D = W / 2>
  static Batch lane_max(Batch v) {
    using Index = xsimd::batch<std::uint32_t, Arch>;
    v = xsimd::max(v, xsimd::swizzle(v, xsimd::make_batch_constant<Index, LaneSwap<D>>()));
    if constexpr (D > 1) return lane_max<D / 2>(v);
    return v;
  }

  // In place over one row: exp(scale * (x - max)), unnormalised; returns
  // 1 / the row's sum (attention scales the row's P V by it instead of
  // dividing every probability). The row has room for `room` >= n floats:
  // where that reaches a whole vector past n's last whole one (attention's
  // score rows, padded to whole panels), the last partial vector goes the
  // vector way with its lanes past n masked (-inf for the max, 0 for the
  // exp, which is what those lanes then hold); otherwise a scalar tail.
  // Against one max chain, the scalar lane max and a scalar tail, 321 keys
  // took 15-20% less time a row (~180 cycles instead of ~220).
  static float softmax_exp_row(float* row, int n, int room, float scale) {
    const int whole = n / W * W;
    const bool vector_tail = whole < n && room >= whole + W;
    const auto in_row = lane_index() < Batch(static_cast<float>(n - whole));
    // Two chains: max's latency over one chain of 20 vectors took longer
    // than the loads.
    Batch max0(-INFINITY), max1(-INFINITY);
    int j = 0;
    for (; j + 2 * W <= whole; j += 2 * W) {
      max0 = xsimd::max(max0, Batch::load_unaligned(row + j));
      max1 = xsimd::max(max1, Batch::load_unaligned(row + j + W));
    }
    if (j < whole) max0 = xsimd::max(max0, Batch::load_unaligned(row + j));
    if (vector_tail)
      max1 = xsimd::max(max1, xsimd::select(in_row, Batch::load_unaligned(row + whole), Batch(-INFINITY)));
    float mx = lane_max(xsimd::max(max0, max1)).get(0);
    if (!vector_tail)
      for (int t = whole; t < n; ++t) mx = std::max(mx, row[t]);
    // exp(scale (x - max)) = 2^(x c - max c), c = scale log2(e)
    const float c = scale * 1.44269504f;
    const Batch bc(c), bshift(-mx * c);
    Batch vsum(0.0f);
    for (j = 0; j < whole; j += W) {
      const Batch e = exp2_below_127(xsimd::fma(Batch::load_unaligned(row + j), bc, bshift));
      e.store_unaligned(row + j);
      vsum += e;
    }
    if (vector_tail) {
      const Batch e = exp2_below_127(xsimd::fma(Batch::load_unaligned(row + whole), bc, bshift));
      const Batch kept = xsimd::select(in_row, e, Batch(0.0f));
      kept.store_unaligned(row + whole);
      vsum += kept;
    }
    float sum = xsimd::hadd(vsum);
    if (!vector_tail) {
      for (int t = whole; t < n; ++t) {
        row[t] = std::exp2(std::fma(row[t], c, -mx * c));
        sum += row[t];
      }
    }
    return 1.0f / sum;
  }

  // How attention's threads share its work: thread t of query_runs x
  // head_groups runs query run t / head_groups of head group t % head_groups.
  // Query runs first: a thread that runs queries of its own rows (the
  // row-wise kernels' runs, for_each_row_run) reads the Q rows its core
  // wrote in qkv and writes the output rows it reads in proj. Each thread
  // packs the K^T and V of its heads itself, which costs about 8 x runs /
  // queries of its blocks' time, so runs of at least kMinRunQueries
  // queries (at most 5% on two threads, about 20% on 8 runs of 40), and
  // head groups to use more threads than that.
  struct AttentionGrid {
    int query_runs, head_groups;
  };
  static constexpr int kMinRunQueries = 40;

  static AttentionGrid attention_grid(const AttentionShape& s, int threads) {
    const int query_runs = std::clamp(s.queries / kMinRunQueries, 1, threads);
    return {query_runs, std::clamp(threads / query_runs, 1, s.heads)};
  }

  // Every head: per block of kQueryBlock queries, scores = Q K^T, exp, out
  // = P V scaled by 1 / each row's sum, while the block's scores
  // (kQueryBlock x keys) are still in L1, after the head's K^T and V are
  // packed (hot in L2 for all of the head's blocks). On several threads,
  // queries in runs of rows and heads in groups (attention_grid), each
  // thread packing its heads' K^T and V for itself. (Shared out by (head,
  // block) with each head packed once, each thread read half of its heads'
  // Q rows from the other core and wrote half of its output rows for it:
  // vit-d12c256's attention ran 1.4x faster on two threads than on one
  // within its block of layers; in runs of queries with K^T and V packed
  // once, a panel range per thread, 1.3x (every block read the other
  // thread's panels); this way 1.8x.) threads: the threads `scratch` has
  // room for (attention_scratch_floats); it runs on at most that many.
  static void attention(const AttentionShape& s, const float* q, const float* k, const float* v, float* out,
                        float* scratch, int threads) {
    const std::size_t packed_k_floats = packed_b_floats(s.key_dim, s.keys);
    const int lds = panels(s.keys) * NR;
    // Heads [first_head, last_head) for queries [first, last), with this
    // thread's scratch.
    const auto run = [&](int first_head, int last_head, int first, int last, float* thread_scratch) {
      float* const packed_k = thread_scratch;
      float* const packed_v = packed_k + packed_k_floats;
      float* const block_scores = thread_scratch + attention_head_floats(s);
      for (int h = first_head; h < last_head; ++h) {
        pack_b_nk(k + std::size_t(h) * s.head_k, s.ldk, s.key_dim, s.keys, packed_k);
        pack_b_kn(v + std::size_t(h) * s.head_v, s.ldv, s.keys, s.value_dim, packed_v);
        for (int q0 = first; q0 < last; q0 += kQueryBlock) {
          const int rows = std::min(kQueryBlock, last - q0);
          const float* block_q = q + std::size_t(h) * s.head_q + std::size_t(q0) * s.ldq;
          product(rows, s.keys, s.key_dim, block_q, s.ldq, packed_k, block_scores, lds, lds);
          float inverse_sum[kQueryBlock];
          for (int r = 0; r < rows; ++r)
            inverse_sum[r] = softmax_exp_row(block_scores + std::size_t(r) * lds, s.keys, lds, s.scale);
          float* block_out = out + std::size_t(h) * s.head_out + std::size_t(q0) * s.ldo;
          product(rows, s.value_dim, s.keys, block_scores, lds, packed_v, block_out, s.ldo, s.value_dim);
          for (int r = 0; r < rows; ++r) scale(block_out + std::size_t(r) * s.ldo, s.value_dim, inverse_sum[r]);
        }
      }
    };
    const AttentionGrid grid = attention_grid(s, std::min(openmp_max_threads(), threads));
    const int team = grid.query_runs * grid.head_groups;
    const bool parallel =
        team > 1 && std::size_t(s.heads) * s.queries * s.keys * (s.key_dim + s.value_dim) > 200000;
    if (!parallel) return run(0, s.heads, 0, s.queries, scratch);
#pragma omp parallel num_threads(team)
    {
      // The team OpenMP gave (fewer than asked when nested, say).
      const AttentionGrid g = attention_grid(s, openmp_team_size());
      const int t = openmp_thread_index(), query_run = t / g.head_groups, head_group = t % g.head_groups;
      // Runs of whole MR-row blocks, as for_each_row_run gives the GEMMs.
      const int row_blocks = (s.queries + MR - 1) / MR;
      const auto query = [&](int i) { return std::min(s.queries, run_start(row_blocks, i, g.query_runs) * MR); };
      if (query_run < g.query_runs)
        run(run_start(s.heads, head_group, g.head_groups), run_start(s.heads, head_group + 1, g.head_groups),
            query(query_run), query(query_run + 1),
            scratch + std::size_t(t) * (attention_head_floats(s) + attention_block_floats(s)));
    }
  }

  // x[0, n) *= factor
  static void scale(float* x, int n, float factor) {
    const Batch f(factor);
    int j = 0;
    for (; j + W <= n; j += W) (Batch::load_unaligned(x + j) * f).store_unaligned(x + j);
    for (; j < n; ++j) x[j] *= factor;
  }

  // ---------------------------------------------------------- elementwise

  // LayerNorm of R rows in lock step. Each row's three passes are chains of
  // dependent adds or FMAs ending in a horizontal sum (about 120 cycles for a
  // 48-wide row, one row at a time); R rows interleave R independent chains.
  // Every row is computed exactly as alone, whatever R.
  template <int R>
  static void layer_norm_rows(const float* x, int channels, const float* gamma, const float* beta, float eps,
                              float* y) {
    Batch acc[R];
    float mean[R], inv_std[R];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) acc[r] = Batch(0.0f);
    int c = 0;
    for (; c + W <= channels; c += W)
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) acc[r] += Batch::load_unaligned(x + std::size_t(r) * channels + c);
    for (int r = 0; r < R; ++r) {
      const float* xr = x + std::size_t(r) * channels;
      float sum = xsimd::hadd(acc[r]);
      for (int t = c; t < channels; ++t) sum += xr[t];
      mean[r] = sum / static_cast<float>(channels);
      acc[r] = Batch(0.0f);
    }
    c = 0;
    for (; c + W <= channels; c += W)
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) {
        const Batch d = Batch::load_unaligned(x + std::size_t(r) * channels + c) - Batch(mean[r]);
        acc[r] = xsimd::fma(d, d, acc[r]);
      }
    for (int r = 0; r < R; ++r) {
      const float* xr = x + std::size_t(r) * channels;
      float sq = xsimd::hadd(acc[r]);
      for (int t = c; t < channels; ++t) sq += (xr[t] - mean[r]) * (xr[t] - mean[r]);
      inv_std[r] = 1.0f / std::sqrt(sq / static_cast<float>(channels) + eps);
    }
    c = 0;
    for (; c + W <= channels; c += W) {
      const Batch g = Batch::load_unaligned(gamma + c), b = Batch::load_unaligned(beta + c);
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) {
        const Batch d = (Batch::load_unaligned(x + std::size_t(r) * channels + c) - Batch(mean[r])) * Batch(inv_std[r]);
        xsimd::fma(d, g, b).store_unaligned(y + std::size_t(r) * channels + c);
      }
    }
    for (int r = 0; r < R; ++r)
      for (int t = c; t < channels; ++t)
        y[std::size_t(r) * channels + t] =
            (x[std::size_t(r) * channels + t] - mean[r]) * inv_std[r] * gamma[t] + beta[t];
  }

  static constexpr int kNormRows = 4;  // rows of LayerNorm in lock step

  // Rows shared out as the GEMMs share theirs (for_each_row_run).
  static void layer_norm(const float* x, int rows, int channels, const float* gamma, const float* beta, float eps,
                         float* y) {
    const int row_blocks = (rows + MR - 1) / MR;
    for_each_row_run(row_blocks, row_blocks > 1 && std::size_t(rows) * channels > 32768, [&](int first, int last) {
      const int end = std::min(rows, last * MR);
      int r = first * MR;
      for (; r + kNormRows <= end; r += kNormRows) {
        const std::size_t at = std::size_t(r) * channels;
        layer_norm_rows<kNormRows>(x + at, channels, gamma, beta, eps, y + at);
      }
      for (; r < end; ++r)
        layer_norm_rows<1>(x + std::size_t(r) * channels, channels, gamma, beta, eps, y + std::size_t(r) * channels);
    });
  }

  static void activate_inplace(Activation act, float* x, std::size_t n) {
    if (act == Activation::none) return;
    std::size_t i = 0;
    for (; i + 4 * W <= n; i += 4 * W) {
      Batch v[4] = {};
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) v[j] = Batch::load_unaligned(x + i + std::size_t(j) * W);
      activate<4>(act, v);
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) v[j].store_unaligned(x + i + std::size_t(j) * W);
    }
    for (; i + W <= n; i += W) activate(act, Batch::load_unaligned(x + i)).store_unaligned(x + i);
    for (; i < n; ++i) x[i] = activate(act, x[i]);
  }

  static Batch sigmoid(Batch v) { return Batch(1.0f) / (Batch(1.0f) + xsimd::exp(-v)); }

  static void sigmoid_clip(float* x, std::size_t n, float lo, float hi) {
    const Batch blo(lo), bhi(hi);
    std::size_t i = 0;
    for (; i + W <= n; i += W)
      xsimd::min(xsimd::max(sigmoid(Batch::load_unaligned(x + i)), blo), bhi).store_unaligned(x + i);
    for (; i < n; ++i) x[i] = std::clamp(1.0f / (1.0f + std::exp(-x[i])), lo, hi);
  }

  // Soft-argmax (see ref::soft_argmax): the softmax's exp through
  // softmax_exp_row over all cells, then one pass per map row that
  // normalises the probabilities and sums p * x coordinate and p * y
  // coordinate in per-lane partial sums (lane l of the vector at column j
  // sits at x = j + l).
  static void soft_argmax(const float* logits, int height, int width, float step, float offset, float* prob,
                          float expected[2]) {
    const int cells = height * width;
    if (prob != logits) std::copy(logits, logits + cells, prob);  // (std::copy onto itself is undefined)
    const float inverse_sum = softmax_exp_row(prob, cells, cells, 1.0f);
    const Batch lanes = lane_index(), inv(inverse_sum), bstep(step), boffset(offset);
    Batch ex(0.0f), ey(0.0f);
    float ex_tail = 0.0f, ey_tail = 0.0f;
    for (int y = 0; y < height; ++y) {
      float* row = prob + std::size_t(y) * width;
      const float cy = step * static_cast<float>(y) + offset;
      const Batch bcy(cy);
      int x = 0;
      for (; x + W <= width; x += W) {
        const Batch p = Batch::load_unaligned(row + x) * inv;
        p.store_unaligned(row + x);
        const Batch cx = xsimd::fma(Batch(static_cast<float>(x)) + lanes, bstep, boffset);
        ex = xsimd::fma(p, cx, ex);
        ey = xsimd::fma(p, bcy, ey);
      }
      for (; x < width; ++x) {
        const float p = row[x] * inverse_sum;
        row[x] = p;
        ex_tail += p * (step * static_cast<float>(x) + offset);
        ey_tail += p * cy;
      }
    }
    expected[0] = xsimd::hadd(ex) + ex_tail;
    expected[1] = xsimd::hadd(ey) + ey_tail;
  }

  static void add(float* y, const float* x, std::size_t n) {
    std::size_t i = 0;
    for (; i + W <= n; i += W) (Batch::load_unaligned(y + i) + Batch::load_unaligned(x + i)).store_unaligned(y + i);
    for (; i < n; ++i) y[i] += x[i];
  }

  // Square blocks transposed in registers where the ISA has the shuffles
  // (x86: 8 x 8 with 256-bit unpacks, shuffles and lane swaps, the AVX-512
  // table too; NEON: 4 x 4 with trn/zip), the edges and other ISAs element
  // by element. The zoo's two [48, 256] transposes per update: 9 us each
  // element by element, here 8 x 8 blocks.
#if defined(__x86_64__)  // (xsimd's avx512f derives from generic, not from avx2: both named)
  static constexpr int kTransposeBlock =
      std::is_base_of_v<xsimd::avx2, Arch> || std::is_base_of_v<xsimd::avx512f, Arch> ? 8 : 0;
#elif defined(__aarch64__)
  static constexpr int kTransposeBlock = std::is_base_of_v<xsimd::neon64, Arch> ? 4 : 0;
#else
  static constexpr int kTransposeBlock = 0;
#endif

  // y[c * ldy + r] (+)= x[r * ldx + c] for r, c < kTransposeBlock.
  static void transpose_block(const float* x, int ldx, bool accumulate, float* y, int ldy) {
#if defined(__x86_64__)
    if constexpr (kTransposeBlock == 8) {
      __m256 r[8], t[8];
      for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(x + std::size_t(i) * ldx);
      for (int i = 0; i < 8; i += 2) {  // pairs of rows interleaved
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
      }
      for (int i = 0; i < 8; i += 4) {  // then quads: each 128-bit lane holds a column's 4 rows
        r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
        r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
        r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
      }
      for (int i = 0; i < 4; ++i) {  // rows 0-3 and 4-7 of columns i and i + 4
        t[i] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x20);
        t[i + 4] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x31);
      }
      for (int i = 0; i < 8; ++i) {
        float* out = y + std::size_t(i) * ldy;
        _mm256_storeu_ps(out, accumulate ? _mm256_add_ps(_mm256_loadu_ps(out), t[i]) : t[i]);
      }
      return;
    }
#endif
#if defined(__aarch64__)
    if constexpr (kTransposeBlock == 4) {
      float32x4_t r[4];
      for (int i = 0; i < 4; ++i) r[i] = vld1q_f32(x + std::size_t(i) * ldx);
      const float32x4_t t0 = vtrn1q_f32(r[0], r[1]), t1 = vtrn2q_f32(r[0], r[1]);
      const float32x4_t t2 = vtrn1q_f32(r[2], r[3]), t3 = vtrn2q_f32(r[2], r[3]);
      const float64x2_t d0 = vreinterpretq_f64_f32(t0), d1 = vreinterpretq_f64_f32(t1);
      const float64x2_t d2 = vreinterpretq_f64_f32(t2), d3 = vreinterpretq_f64_f32(t3);
      const float32x4_t columns[4] = {
          vreinterpretq_f32_f64(vzip1q_f64(d0, d2)), vreinterpretq_f32_f64(vzip1q_f64(d1, d3)),
          vreinterpretq_f32_f64(vzip2q_f64(d0, d2)), vreinterpretq_f32_f64(vzip2q_f64(d1, d3))};
      for (int i = 0; i < 4; ++i) {
        float* out = y + std::size_t(i) * ldy;
        vst1q_f32(out, accumulate ? vaddq_f32(vld1q_f32(out), columns[i]) : columns[i]);
      }
      return;
    }
#endif
    (void)x, (void)ldx, (void)accumulate, (void)y, (void)ldy;
  }

  // y[c * ldy + r] (+)= x[r * ldx + c] for r < rows, c < cols: whole
  // blocks in registers, the rest element by element.
  static void transpose_strided(const float* x, int ldx, int rows, int cols, bool accumulate, float* y, int ldy) {
    constexpr int B = kTransposeBlock;
    int whole_rows = 0, whole_cols = 0;
    if constexpr (B > 0) {
      whole_rows = rows / B * B;
      whole_cols = cols / B * B;
      for (int r0 = 0; r0 < whole_rows; r0 += B)
        for (int c0 = 0; c0 < whole_cols; c0 += B)
          transpose_block(x + std::size_t(r0) * ldx + c0, ldx, accumulate, y + std::size_t(c0) * ldy + r0, ldy);
    }
    auto one = [&](int r, int c) {
      float& o = y[std::size_t(c) * ldy + r];
      const float v = x[std::size_t(r) * ldx + c];
      o = accumulate ? o + v : v;
    };
    for (int r = 0; r < whole_rows; ++r)  // the columns right of the blocks
      for (int c = whole_cols; c < cols; ++c) one(r, c);
    for (int r = whole_rows; r < rows; ++r)  // the rows below them
      for (int c = 0; c < cols; ++c) one(r, c);
  }

  // y[c, r] (+)= x[r, c], x [rows, cols].
  static void transpose(const float* x, int rows, int cols, bool accumulate, float* y) {
    transpose_strided(x, cols, rows, cols, accumulate, y, rows);
  }

  // ---------------------------------------------------------- preprocessing

  // Pixels per step of normalize_rgb: one batch per channel, but 8 on NEON
  // (W = 4), whose de-interleaving load takes 8 or 16 pixels.
  static constexpr int kRgbStep = W < 8 ? 8 : W;

  // pshufb masks taking channel `channel` of pixels [0, kRgbStep) out of
  // 16-byte loads at byte offsets `at` (pixel i's sample is byte 3i +
  // channel): lane i of mask j is that byte's place in load j, or -1 (zero)
  // where load j does not hold it. AVX2 (8 pixels, 24 bytes) loads at 0 and
  // 8, AVX-512 (16 pixels, 48 bytes) at 0, 16 and 32: never past the step.
  struct RgbShuffle {
    static constexpr int kLoads = (3 * kRgbStep + 15) / 16;
    static constexpr int at(int j) { return kLoads == 2 ? 8 * j : 16 * j; }
    alignas(16) std::int8_t mask[3][kLoads][16] = {};
    constexpr RgbShuffle() {
      for (int channel = 0; channel < 3; ++channel)
        for (int j = 0; j < kLoads; ++j)
          for (int i = 0; i < 16; ++i) {
            const int byte = 3 * i + channel - at(j);
            const bool mine = i < kRgbStep && byte >= 0 && byte < 16 && (j + 1 == kLoads || byte < at(j + 1) - at(j));
            mask[channel][j][i] = static_cast<std::int8_t>(mine ? byte : -1);
          }
    }
  };

  // The three channels of pixels [0, kRgbStep) as floats (exact: bytes).
  static void load_rgb_channels(const std::uint8_t* rgb, Batch channels[3][kRgbStep / W]) {
#if defined(__x86_64__)
    if constexpr (std::is_base_of_v<xsimd::avx2, Arch> || std::is_base_of_v<xsimd::avx512f, Arch>) {
      static constexpr RgbShuffle kShuffle;
      __m128i loads[RgbShuffle::kLoads];
      for (int j = 0; j < RgbShuffle::kLoads; ++j)
        loads[j] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rgb + RgbShuffle::at(j)));
      for (int c = 0; c < 3; ++c) {
        __m128i bytes = _mm_setzero_si128();
        for (int j = 0; j < RgbShuffle::kLoads; ++j)
          bytes = _mm_or_si128(bytes, _mm_shuffle_epi8(loads[j], _mm_load_si128(reinterpret_cast<const __m128i*>(
                                                                     kShuffle.mask[c][j]))));
        if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>)
          channels[c][0] = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(bytes));
        else
          channels[c][0] = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes));
      }
      return;
    }
#endif
#if defined(__aarch64__)
    if constexpr (std::is_base_of_v<xsimd::neon64, Arch>) {
      const uint8x8x3_t v = vld3_u8(rgb);
      for (int c = 0; c < 3; ++c) {
        const uint16x8_t wide = vmovl_u8(v.val[c]);
        channels[c][0] = vcvtq_f32_u32(vmovl_u16(vget_low_u16(wide)));
        channels[c][1] = vcvtq_f32_u32(vmovl_high_u16(wide));
      }
      return;
    }
#endif
    alignas(64) float lanes[kRgbStep];
    for (int c = 0; c < 3; ++c) {
      for (int i = 0; i < kRgbStep; ++i) lanes[i] = static_cast<float>(rgb[3 * i + c]);
      for (int b = 0; b < kRgbStep / W; ++b) channels[c][b] = Batch::load_aligned(lanes + b * W);
    }
  }

  // a / b correctly rounded. xsimd 8.1 divides float batches on neon64 with
  // a reciprocal estimate and Newton steps (off by an ulp at times); AArch64
  // has a true division.
  static Batch divide(Batch a, Batch b) {
#if defined(__aarch64__)
    if constexpr (std::is_base_of_v<xsimd::neon64, Arch>) return vdivq_f32(a, b);
#endif
    return a / b;
  }

  // kRgbStep pixels per step, the same two divisions as the reference (a
  // table lookup per sample cost 1.7 cycles each, most of the crop's time).
  static void normalize_rgb(const std::uint8_t* rgb, int n, const RgbNormalization& norm, float* const planes[3]) {
    const Batch k255(255.0f);
    int x = 0;
    for (; x + kRgbStep <= n; x += kRgbStep) {
      Batch channels[3][kRgbStep / W];
      load_rgb_channels(rgb + 3 * x, channels);
      for (int p = 0; p < 3; ++p) {
        const Batch mean(norm.mean[p]), stddev(norm.stddev[p]);
        for (int b = 0; b < kRgbStep / W; ++b)
          divide(divide(channels[norm.source[p]][b], k255) - mean, stddev).store_unaligned(planes[p] + x + b * W);
      }
    }
    for (int p = 0; p < 3; ++p)
      for (int t = x; t < n; ++t)
        planes[p][t] = (static_cast<float>(rgb[3 * t + norm.source[p]]) / 255.0f - norm.mean[p]) / norm.stddev[p];
  }

  static KernelTable table(Isa isa) {
    return {isa,
            packed_linear_floats,
            pack_linear,
            linear,
            conv2d_scratch_floats,
            conv2d,
            attention_scratch_floats,
            attention,
            layer_norm,
            activate_inplace,
            sigmoid_clip,
            soft_argmax,
            add,
            transpose,
            normalize_rgb};
  }
};

}  // namespace et::simd
