// Every kernel of every runnable SIMD table against the reference table, on
// random inputs and odd shapes around the vector widths (W = 4 NEON, 8 AVX2,
// 16 AVX-512; panels of 2W): 1, W-1, W, W+1, 2W+3 and partial tiles.
// Bounds scale with the reduction length K: |simd - ref| <= 4 K u S + abs,
// u = 2^-24 and S the sum of the magnitudes of the terms.
#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "tests/test_util.h"

namespace et {
namespace {

constexpr double kUnit = 1.0 / 16777216.0;  // 2^-24

std::vector<Isa> simd_isas() {
  std::vector<Isa> isas;
  for (Isa isa : runnable_isas())
    if (isa != Isa::reference) isas.push_back(isa);
  return isas;
}

const char* act_name(Activation a) {
  switch (a) {
    case Activation::none: return "none";
    case Activation::relu: return "relu";
    case Activation::gelu_erf: return "gelu";
    case Activation::hardswish: return "hardswish";
  }
  return "?";
}

// 64-byte aligned float storage for packed weights.
struct Aligned {
  explicit Aligned(std::size_t n) : data(static_cast<float*>(std::aligned_alloc(64, (n * 4 + 127) / 64 * 64))) {}
  ~Aligned() { std::free(data); }
  float* data;
};

const std::vector<int> kOddSizes = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 19, 31, 32, 33, 35, 48, 67};

}  // namespace

TEST_CASE("kernels: the reference table is always runnable and ISA names round-trip") {
  CHECK(runnable_isas().front() == Isa::reference);
  for (Isa isa : {Isa::reference, Isa::avx2, Isa::avx512, Isa::neon}) CHECK(parse_isa(isa_name(isa)) == isa);
  CHECK(test::error_of([] { parse_isa("sse9"); }) == "ISA 'sse9': expected one of reference, avx2, avx512, neon");
  MESSAGE("runnable ISAs here: " << [] {
    std::string s;
    for (Isa isa : runnable_isas()) s += std::string(isa_name(isa)) + " ";
    return s;
  }());
}

TEST_CASE("kernels: linear with bias, activations, residual accumulate and strides") {
  const KernelTable& ref = kernel_table(Isa::reference);
  std::uint32_t seed = 100;
  for (Isa isa : simd_isas()) {
    const KernelTable& fast = kernel_table(isa);
    std::vector<int> in_sizes = kOddSizes;
    in_sizes.insert(in_sizes.end(), {129, 257, 600});  // long reductions: panels past L1
    for (int rows : {1, 5, 6, 7, 13, 64}) {
      for (int in : in_sizes) {
        for (int out : {1, 7, 8, 15, 16, 17, 31, 32, 33, 35, 67, 144}) {
          const Activation act = static_cast<Activation>(seed % 4);
          const bool accumulate = (seed / 4) % 2 == 1;
          const bool has_bias = seed % 5 != 0;
          ++seed;
          INFO(std::string(isa_name(isa)), " rows ", rows, " in ", in, " out ", out, " act ", std::string(act_name(act)), " accumulate ",
               accumulate, " bias ", has_bias, " seed ", seed);
          const LinearShape s{rows, in, out, in + 3, out + 5};
          const auto x = test::random_values(std::size_t(rows) * s.ldx, seed);
          const auto w = test::random_values(std::size_t(out) * in, seed + 1, 0.3f);
          const auto b = test::random_values(std::size_t(out), seed + 2);
          const auto y0 = test::random_values(std::size_t(rows) * s.ldy, seed + 3);
          Aligned pr(ref.packed_linear_floats(out, in)), pf(fast.packed_linear_floats(out, in));
          ref.pack_linear(w.data(), has_bias ? b.data() : nullptr, out, in, pr.data);
          fast.pack_linear(w.data(), has_bias ? b.data() : nullptr, out, in, pf.data);
          std::vector<float> yr = y0, yf = y0;
          ref.linear(s, x.data(), pr.data, act, accumulate, yr.data());
          fast.linear(s, x.data(), pf.data, act, accumulate, yf.data());
          double worst = 0;
          bool padding_intact = true;
          for (int n = 0; n < rows; ++n) {
            for (int m = 0; m < out; ++m) {
              double mag = has_bias ? std::fabs(b[m]) : 0;
              for (int k = 0; k < in; ++k) mag += std::fabs(double(x[n * s.ldx + k]) * w[m * in + k]);
              const std::size_t i = std::size_t(n) * s.ldy + m;
              const double bound = 4 * (in + 1) * kUnit * mag + 4e-7 * (1 + std::fabs(yr[i]));
              worst = std::max(worst, std::fabs(double(yr[i]) - yf[i]) / bound);
            }
            for (int m = out; m < s.ldy; ++m)  // stride padding untouched
              padding_intact &= yf[std::size_t(n) * s.ldy + m] == y0[std::size_t(n) * s.ldy + m];
          }
          CHECK(worst <= 1.0);
          CHECK(padding_intact);
        }
      }
    }
  }
}

TEST_CASE("kernels: linear over many rows equals its row slices run alone, bit for bit") {
  // A batch of crops stacks their tokens: 1000 rows at K = 600 against
  // slices of 321, 1 and 678 rows. A of the whole and of the large slices
  // passes the GEMM's L2 budget, so their panels run in groups (AVX2 6 of
  // 8 panels then 2, the last one partial; AVX-512 3 + 1; NEON 13 + 2),
  // while the one-row slice runs panel by panel: each slice must come out
  // exactly as within the whole, and close to the reference.
  const KernelTable& ref = kernel_table(Isa::reference);
  const int rows = 1000, in = 600, out = 117;
  for (Isa isa : simd_isas()) {
    const KernelTable& fast = kernel_table(isa);
    for (const Activation act : {Activation::none, Activation::gelu_erf}) {
      for (const bool accumulate : {false, true}) {
        INFO(std::string(isa_name(isa)), " act ", std::string(act_name(act)), " accumulate ", accumulate);
        const auto x = test::random_values(std::size_t(rows) * in, 31);
        const auto w = test::random_values(std::size_t(out) * in, 32, 0.3f);
        const auto b = test::random_values(std::size_t(out), 33);
        const auto y0 = test::random_values(std::size_t(rows) * out, 34);
        Aligned pr(ref.packed_linear_floats(out, in)), pf(fast.packed_linear_floats(out, in));
        ref.pack_linear(w.data(), b.data(), out, in, pr.data);
        fast.pack_linear(w.data(), b.data(), out, in, pf.data);
        std::vector<float> whole = y0, sliced = y0, yr = y0;
        fast.linear({rows, in, out, in, out}, x.data(), pf.data, act, accumulate, whole.data());
        ref.linear({rows, in, out, in, out}, x.data(), pr.data, act, accumulate, yr.data());
        for (const auto& [first, count] : {std::pair{0, 321}, std::pair{321, 1}, std::pair{322, 678}})
          fast.linear({count, in, out, in, out}, x.data() + std::size_t(first) * in, pf.data, act, accumulate,
                      sliced.data() + std::size_t(first) * out);
        CHECK(std::memcmp(whole.data(), sliced.data(), whole.size() * sizeof(float)) == 0);
        double worst = 0;
        for (std::size_t i = 0; i < whole.size(); ++i)
          worst = std::max(worst, std::fabs(double(whole[i]) - yr[i]) / (1e-4 * (1 + std::fabs(yr[i]))));
        CHECK(worst <= 1.0);
      }
    }
  }
}

TEST_CASE("kernels: linear and layer norm give the same bits on any number of threads") {
  // Threads take contiguous runs of 6-row blocks where those share the rows
  // out evenly (1000 rows: 167 blocks on 3 or 16 threads), tile by tile
  // otherwise (64 threads); LayerNorm's runs start inside its groups of 4.
  const int rows = 1000, in = 600, out = 117, norm_rows = 301, channels = 130;
  const auto x = test::random_values(std::size_t(rows) * in, 41);
  const auto w = test::random_values(std::size_t(out) * in, 42, 0.3f);
  const auto b = test::random_values(std::size_t(out), 43);
  const auto y0 = test::random_values(std::size_t(rows) * out, 44);
  const auto gamma = test::random_values(std::size_t(channels), 45);
  const auto beta = test::random_values(std::size_t(channels), 46);
  const int saved_threads = omp_get_max_threads();
  for (Isa isa : simd_isas()) {
    const KernelTable& fast = kernel_table(isa);
    Aligned packed(fast.packed_linear_floats(out, in));
    fast.pack_linear(w.data(), b.data(), out, in, packed.data);
    std::vector<float> linear_one, norm_one;
    for (const int threads : {1, 3, 16, 64}) {
      INFO(std::string(isa_name(isa)), " threads ", threads);
      omp_set_num_threads(threads);
      std::vector<float> y = y0, normed(std::size_t(norm_rows) * channels);
      fast.linear({rows, in, out, in, out}, x.data(), packed.data, Activation::gelu_erf, true, y.data());
      fast.layer_norm(x.data(), norm_rows, channels, gamma.data(), beta.data(), 1e-5f, normed.data());
      if (threads == 1) {
        linear_one = y;
        norm_one = normed;
      }
      CHECK(y == linear_one);
      CHECK(normed == norm_one);
    }
  }
  omp_set_num_threads(saved_threads);
}

TEST_CASE("kernels: conv2d with kernels 1/2/3/16, strides, padding and groups") {
  const KernelTable& ref = kernel_table(Isa::reference);
  struct Case {
    int in_c, h, w, out_c, kernel, stride, pad, groups;
  };
  const std::vector<Case> cases = {
      {3, 17, 19, 6, 3, 2, 1, 1},   {6, 9, 9, 12, 3, 2, 1, 1},    {48, 16, 16, 32, 3, 1, 1, 1},
      {4, 5, 7, 1, 3, 1, 1, 1},     {8, 16, 16, 4, 1, 1, 0, 1},   {3, 32, 32, 17, 16, 16, 0, 1},
      {5, 8, 10, 7, 2, 2, 0, 1},    {8, 7, 7, 12, 1, 1, 0, 4},    {12, 9, 11, 6, 3, 1, 1, 3},
      {1, 1, 1, 1, 1, 1, 0, 1},     {2, 3, 3, 33, 3, 1, 1, 1},    {16, 40, 40, 8, 3, 2, 1, 1},
      // Output widths 1, 7, 8, 9, 17, 18, 33, 35 around W and 2W (partial
      // column tiles), out channels not a multiple of the row tile, strides
      // without padding, and more input channels than one channel block
      // (direct convolution: partial sums across blocks, activation last).
      {5, 1, 1, 7, 3, 1, 1, 1},     {3, 7, 7, 5, 3, 1, 1, 1},     {2, 8, 9, 13, 3, 1, 1, 1},
      {4, 15, 16, 6, 3, 2, 1, 1},   {3, 33, 35, 7, 3, 2, 1, 1},   {6, 6, 70, 11, 3, 2, 1, 1},
      {3, 4, 34, 5, 2, 2, 0, 1},    {7, 5, 33, 3, 1, 1, 0, 1},    {9, 6, 19, 9, 3, 2, 1, 3},
      {4, 9, 9, 6, 1, 2, 0, 1},     {3, 9, 11, 4, 3, 2, 0, 1},    {3, 6, 6, 5, 2, 1, 0, 1},
      {64, 5, 5, 7, 3, 1, 1, 1},    {100, 4, 17, 6, 3, 2, 1, 1},
      // Inputs whose phase planes exceed one band (direct convolution in
      // bands of output rows: halo rows, a last partial band), with groups.
      {64, 64, 64, 13, 3, 2, 1, 1}, {96, 40, 40, 7, 3, 1, 1, 1},  {64, 30, 30, 8, 3, 1, 1, 2},
      {48, 33, 66, 5, 2, 2, 0, 1},
      // Weights larger than L1 and than a band of input (head-sized
      // convs), with partial row blocks, bands and groups.
      {128, 9, 11, 45, 3, 1, 1, 1}, {96, 40, 40, 61, 3, 2, 1, 1}, {256, 6, 6, 200, 3, 1, 1, 2},
      // Output rows exactly one vector wide (4 NEON, 8 AVX2, 16 AVX-512):
      // row-pair tiles, an odd last row, bands of an even row count (the
      // 200-channel input: 5 rows a band under AVX-512, cut to 4), groups.
      {5, 7, 8, 6, 3, 1, 1, 1},     {7, 13, 16, 9, 3, 2, 1, 1},   {3, 9, 4, 5, 3, 1, 1, 1},
      {6, 10, 8, 7, 2, 2, 0, 1},    {12, 15, 16, 15, 3, 1, 1, 3}, {200, 33, 16, 7, 3, 1, 1, 1},
      {64, 32, 32, 8, 3, 2, 1, 1},  {5, 17, 16, 3, 1, 1, 0, 1},   {9, 34, 32, 14, 2, 2, 0, 1},
      {300, 19, 8, 5, 3, 1, 1, 1},  {12, 15, 8, 9, 3, 1, 1, 3},
      // Over 3 M MACs, so they run in parallel (below, on 3 and 4 threads):
      // row-pair tiles with groups and an odd last row (8 wide: AVX2; 16:
      // AVX-512), and tile rows too few for a row run per thread.
      {128, 17, 8, 40, 3, 1, 1, 2}, {96, 15, 16, 48, 3, 1, 1, 3}, {64, 3, 40, 120, 3, 1, 1, 1}};
  std::uint32_t seed = 500;
  for (Isa isa : simd_isas()) {
    const KernelTable& fast = kernel_table(isa);
    for (const Case& c : cases) {
      for (Activation act : {Activation::none, Activation::hardswish, Activation::relu}) {
        ++seed;
        const Conv2dShape s{c.in_c, c.h, c.w, c.out_c, c.kernel, c.stride, c.pad, c.groups};
        INFO(std::string(isa_name(isa)), " conv in ", c.in_c, "x", c.h, "x", c.w, " out ", c.out_c, " k ", c.kernel, " s ",
             c.stride, " p ", c.pad, " g ", c.groups, " act ", std::string(act_name(act)), " seed ", seed);
        const int k = c.in_c / c.groups * c.kernel * c.kernel;
        const auto x = test::random_values(std::size_t(c.in_c) * c.h * c.w, seed);
        const auto w = test::random_values(std::size_t(c.out_c) * k, seed + 1, 0.3f);
        const auto b = test::random_values(std::size_t(c.out_c), seed + 2);
        const std::size_t out_n = std::size_t(c.out_c) * s.out_height() * s.out_width();
        std::vector<float> yr(out_n, -7.0f), yf(out_n, -7.0f);
        std::vector<float> sr(ref.conv2d_scratch_floats(s, 1) + 1);
        ref.conv2d(s, x.data(), w.data(), b.data(), act, yr.data(), sr.data(), 1);
        // On 1 thread, then OpenMP threads x scratch threads: every result
        // bit for bit the first (each output's sum has one order), also with
        // scratch for fewer threads than OpenMP's. Scratch starts as NaN: a
        // padding column or row the convolution reads without having zeroed
        // it makes its outputs NaN.
        const int saved_threads = omp_get_max_threads();
        for (const auto& [omp_threads, scratch_threads] : {std::pair{1, 1}, {3, 3}, {4, 4}, {4, 2}}) {
          CAPTURE(omp_threads);
          CAPTURE(scratch_threads);
          omp_set_num_threads(omp_threads);
          const std::size_t scratch_floats = fast.conv2d_scratch_floats(s, scratch_threads) + 16;
          Aligned scratch(scratch_floats);
          std::fill_n(scratch.data, scratch_floats, std::numeric_limits<float>::quiet_NaN());
          std::vector<float> y(out_n, -7.0f);
          fast.conv2d(s, x.data(), w.data(), b.data(), act, y.data(), scratch.data, scratch_threads);
          CHECK(std::all_of(y.begin(), y.end(), [](float v) { return std::isfinite(v); }));
          if (omp_threads == 1) yf = y;
          else CHECK(std::memcmp(y.data(), yf.data(), out_n * sizeof(float)) == 0);
        }
        omp_set_num_threads(saved_threads);
        double worst = 0;
        for (std::size_t i = 0; i < out_n; ++i) {
          // Magnitude bound: K terms of |x| <= ~4 and |w| <= ~1.
          const double bound = 4 * (k + 1) * kUnit * (4.0 * k * 0.3 + 4) + 1e-6 * (1 + std::fabs(yr[i]));
          worst = std::max(worst, std::fabs(double(yr[i]) - yf[i]) / bound);
        }
        CHECK(worst <= 1.0);
      }
    }
  }
}

TEST_CASE("kernels: attention with key dim != value dim, strided q/k/v, odd token counts and several heads") {
  const KernelTable& ref = kernel_table(Isa::reference);
  struct Case {
    int queries, keys, dk, dv, heads;
  };
  const std::vector<Case> cases = {{1, 1, 1, 1, 1},    {7, 5, 3, 5, 1},     {49, 61, 16, 48, 1}, {320, 320, 48, 48, 1},
                                   {61, 17, 16, 64, 1}, {13, 320, 32, 32, 1}, {50, 33, 9, 17, 1},
                                   // heads side by side: one call for all (head groups where threads
                                   // outnumber the runs of 40 queries)
                                   {1, 1, 1, 1, 5},    {7, 5, 3, 5, 2},     {256, 321, 64, 64, 4}, {49, 61, 16, 48, 3},
                                   {61, 17, 16, 64, 4}, {25, 40, 7, 9, 6}};
  std::uint32_t seed = 900;
  for (Isa isa : simd_isas()) {
    const KernelTable& fast = kernel_table(isa);
    for (const Case& c : cases) {
      ++seed;
      INFO(std::string(isa_name(isa)), " attention queries ", c.queries, " keys ", c.keys, " dk ", c.dk, " dv ", c.dv,
           " heads ", c.heads, " seed ", seed);
      // Per head q, k, v side by side, the heads one after another, in one
      // strided buffer (the group attention's qkv rows); each output row
      // holds the heads' dv columns and 2 of stride padding.
      const int group = 2 * c.dk + c.dv, ld = c.heads * group + 3, ldo = c.heads * c.dv + 2;
      const AttentionShape s{c.queries, c.keys, c.dk, c.dv, ld, ld, ld, ldo, 1.0f / std::sqrt(float(c.dk)),
                             c.heads, group, group, group, c.dv};
      const auto qkv = test::random_values(std::size_t(std::max(c.queries, c.keys)) * ld, seed);
      const float* q = qkv.data();
      const float* k = qkv.data() + c.dk;
      const float* v = qkv.data() + 2 * c.dk;
      std::vector<float> yr(std::size_t(c.queries) * s.ldo, 5.0f), yf = yr;
      std::vector<float> sr(ref.attention_scratch_floats(s, 1));
      ref.attention(s, q, k, v, yr.data(), sr.data(), 1);
      // On 1 thread, then OpenMP threads x scratch threads, each bit for bit
      // the first (every block's sums in one order, whichever thread runs
      // it). 16 threads: 6 runs of the 256 queries x 2 head groups.
      const int saved_threads = omp_get_max_threads();
      for (const auto& [omp_threads, scratch_threads] : {std::pair{1, 1}, {3, 3}, {4, 2}, {16, 16}}) {
        CAPTURE(omp_threads);
        CAPTURE(scratch_threads);
        omp_set_num_threads(omp_threads);
        Aligned scratch(fast.attention_scratch_floats(s, scratch_threads));
        std::vector<float> y(yr.size(), 5.0f);
        fast.attention(s, q, k, v, y.data(), scratch.data, scratch_threads);
        if (omp_threads == 1) yf = y;
        else CHECK(y == yf);
      }
      omp_set_num_threads(saved_threads);
      double worst = 0;
      for (int i = 0; i < c.queries; ++i) {
        for (int d = 0; d < s.ldo; ++d) {
          const std::size_t at = std::size_t(i) * s.ldo + d;
          if (d >= c.heads * c.dv) {
            CHECK(yf[at] == 5.0f);  // stride padding untouched
            continue;
          }
          // Softmax weights sum to 1: error ~ (dk + keys) u max|v| plus exp's few ulp.
          const double bound = 8 * (c.dk + c.keys) * kUnit * 4.0 + 2e-6;
          worst = std::max(worst, std::fabs(double(yr[at]) - yf[at]) / bound);
        }
      }
      CHECK(worst <= 1.0);
    }
  }
}

TEST_CASE("kernels: attention whose scores span hundreds: the SIMD exp's clamp and underflow") {
  // Scores ~ N(0, 40^2): most of exp(x - max) fall below 2^-125 (the SIMD
  // exp's clamp) or underflow in the reference; the output stays the
  // weighted mean of a few values.
  const KernelTable& ref = kernel_table(Isa::reference);
  for (Isa isa : simd_isas()) {
    const KernelTable& fast = kernel_table(isa);
    for (const int keys : {1, 9, 321}) {
      INFO(std::string(isa_name(isa)), " keys ", keys);
      const int dk = 16, dv = 8, ld = 2 * dk + dv;
      const AttentionShape s{keys, keys, dk, dv, ld, ld, ld, dv, 10.0f};
      const auto qkv = test::random_values(std::size_t(keys) * ld, 77u + static_cast<std::uint32_t>(keys));
      std::vector<float> yr(std::size_t(keys) * dv), yf = yr;
      std::vector<float> sr(ref.attention_scratch_floats(s, 1));
      Aligned scratch(fast.attention_scratch_floats(s, 1));
      ref.attention(s, qkv.data(), qkv.data() + dk, qkv.data() + 2 * dk, yr.data(), sr.data(), 1);
      fast.attention(s, qkv.data(), qkv.data() + dk, qkv.data() + 2 * dk, yf.data(), scratch.data, 1);
      double worst = 0;
      for (std::size_t i = 0; i < yr.size(); ++i) {
        REQUIRE(std::isfinite(yf[i]));
        worst = std::max(worst, std::fabs(double(yr[i]) - yf[i]));
      }
      // Scores of magnitude ~|x| carry ~|x| u of rounding into exp: 1e-4 of |v| ~ 1.
      CHECK(worst <= 1e-4);
    }
  }
}

TEST_CASE("kernels: layer norm, activations, sigmoid clip, add and transpose") {
  const KernelTable& ref = kernel_table(Isa::reference);
  std::uint32_t seed = 1300;
  for (Isa isa : simd_isas()) {
    const KernelTable& fast = kernel_table(isa);
    for (int n : kOddSizes) {
      ++seed;
      INFO(std::string(isa_name(isa)), " n ", n, " seed ", seed);
      const auto x = test::random_values(std::size_t(n) * 5, seed, 3.0f);
      const auto g = test::random_values(std::size_t(n), seed + 1);
      const auto b = test::random_values(std::size_t(n), seed + 2);
      std::vector<float> yr(x.size()), yf(x.size());
      ref.layer_norm(x.data(), 5, n, g.data(), b.data(), 1e-5f, yr.data());
      fast.layer_norm(x.data(), 5, n, g.data(), b.data(), 1e-5f, yf.data());
      for (std::size_t i = 0; i < x.size(); ++i) CHECK(std::fabs(yr[i] - yf[i]) <= 1e-5f * (1 + std::fabs(yr[i])));
      // In place (x == y), and each row the same alone as with the rows
      // it runs beside (the SIMD LayerNorm takes rows four at a time).
      std::vector<float> in_place = x;
      fast.layer_norm(in_place.data(), 5, n, g.data(), b.data(), 1e-5f, in_place.data());
      CHECK(in_place == yf);
      for (int r = 0; r < 5; ++r) {
        std::vector<float> alone(static_cast<std::size_t>(n));
        fast.layer_norm(x.data() + std::size_t(r) * n, 1, n, g.data(), b.data(), 1e-5f, alone.data());
        CHECK(std::equal(alone.begin(), alone.end(), yf.begin() + std::ptrdiff_t(r) * n));
      }
      for (Activation act : {Activation::relu, Activation::gelu_erf, Activation::hardswish}) {
        std::vector<float> ar = x, af = x;
        ref.activate(act, ar.data(), ar.size());
        fast.activate(act, af.data(), af.size());
        for (std::size_t i = 0; i < x.size(); ++i) CHECK(std::fabs(ar[i] - af[i]) <= 2e-6f * (1 + std::fabs(ar[i])));
      }
      std::vector<float> sr = x, sf = x;
      ref.sigmoid_clip(sr.data(), sr.size(), 1e-4f, 1 - 1e-4f);
      fast.sigmoid_clip(sf.data(), sf.size(), 1e-4f, 1 - 1e-4f);
      for (std::size_t i = 0; i < x.size(); ++i) CHECK(std::fabs(sr[i] - sf[i]) <= 1e-6f);
      std::vector<float> ar = g, af = g;
      ref.add(ar.data(), b.data(), ar.size());
      fast.add(af.data(), b.data(), af.size());
      CHECK(ar == af);  // one rounding either way: exact
      for (bool accumulate : {false, true}) {
        std::vector<float> tr(x.size(), 1.0f), tf(x.size(), 1.0f);
        ref.transpose(x.data(), 5, n, accumulate, tr.data());
        fast.transpose(x.data(), 5, n, accumulate, tf.data());
        CHECK(tr == tf);
      }
    }
  }
}

TEST_CASE("kernels: transpose in register blocks (8 x 8 x86, 4 x 4 NEON) and at the edges, bit for bit") {
  // Rows and columns around both block sizes, the zoo's [48, 256] and
  // [256, 48], plain and accumulating into y; y's guard floats untouched.
  const KernelTable& ref = kernel_table(Isa::reference);
  const std::vector<int> sizes = {1, 3, 4, 5, 7, 8, 9, 12, 16, 17, 20, 48, 256};
  std::uint32_t seed = 1400;
  for (Isa isa : simd_isas()) {
    const KernelTable& fast = kernel_table(isa);
    for (int rows : sizes)
      for (int cols : sizes) {
        if (rows * cols > 48 * 256) continue;
        ++seed;
        const auto x = test::random_values(std::size_t(rows) * cols, seed);
        const auto y0 = test::random_values(std::size_t(rows) * cols + 2, seed + 1);
        for (bool accumulate : {false, true}) {
          INFO(std::string(isa_name(isa)), " ", rows, " x ", cols, " accumulate ", accumulate);
          std::vector<float> yr = y0, yf = y0;
          ref.transpose(x.data(), rows, cols, accumulate, yr.data() + 1);
          fast.transpose(x.data(), rows, cols, accumulate, yf.data() + 1);
          CHECK(yr == yf);
          CHECK(yf.front() == y0.front());
          CHECK(yf.back() == y0.back());
        }
      }
  }
}

TEST_CASE("kernels: soft_argmax over odd maps, in place too") {
  // Maps around the vector widths (rows of 1, W-1, W, W+1, 2W+3 cells) and
  // the corner head's 16x16; logits up to ~N(0, 40^2), where most cells
  // fall below the SIMD exp's 2^-125 clamp.
  const KernelTable& ref = kernel_table(Isa::reference);
  struct Case {
    int height, width;
    float step, offset, logit_scale;
  };
  const Case cases[] = {{1, 1, 16, 0, 1},   {16, 16, 16, 0, 3},   {16, 16, 16, 15, 3}, {7, 17, 2, 0.5f, 10},
                        {9, 8, 16, 15, 40}, {3, 35, 1, -2, 2},    {5, 19, 16, 0, 1},   {2, 3, 16, 15, 5},
                        {33, 4, 16, 0, 3},  {16, 16, 16, 15, 40}};
  std::uint32_t seed = 1500;
  for (Isa isa : simd_isas()) {
    const KernelTable& fast = kernel_table(isa);
    for (const Case& c : cases) {
      ++seed;
      INFO(std::string(isa_name(isa)), " map ", c.height, "x", c.width, " step ", c.step, " offset ", c.offset,
           " logit scale ", c.logit_scale);
      const std::size_t cells = std::size_t(c.height) * c.width;
      const auto logits = test::random_values(cells, seed, c.logit_scale);
      std::vector<float> pr(cells + 1, 7.0f), pf(cells + 1, 7.0f);
      float er[2], ef[2];
      ref.soft_argmax(logits.data(), c.height, c.width, c.step, c.offset, pr.data(), er);
      fast.soft_argmax(logits.data(), c.height, c.width, c.step, c.offset, pf.data(), ef);
      CHECK(pf.back() == 7.0f);  // nothing written past the map
      double prob_sum = 0;
      for (std::size_t i = 0; i < cells; ++i) {
        // exp's relative error (2^-22.8) and the sum's rounding, relative to each probability
        CHECK(std::fabs(double(pf[i]) - pr[i]) <= 1e-5 * pr[i] + 1e-30);
        prob_sum += pf[i];
      }
      CHECK(std::fabs(prob_sum - 1.0) <= 1e-5);
      const double span = double(std::fabs(c.step)) * std::max(c.height, c.width) + std::fabs(c.offset);
      CHECK(std::fabs(double(ef[0]) - er[0]) <= 1e-5 * span);
      CHECK(std::fabs(double(ef[1]) - er[1]) <= 1e-5 * span);
      // In place (prob == logits), as the kernel table allows: the same results.
      std::vector<float> in_place = logits;
      float ei[2];
      fast.soft_argmax(in_place.data(), c.height, c.width, c.step, c.offset, in_place.data(), ei);
      CHECK(std::equal(in_place.begin(), in_place.end(), pf.begin()));
      CHECK(ei[0] == ef[0]);
      CHECK(ei[1] == ef[1]);
    }
  }
}

TEST_CASE("kernels: normalize_rgb equals the reference bit for bit, odd widths, any channel order") {
  // Every byte value in every channel (widths >= 86 cover 0..255 three
  // times over), odd widths around each step (AVX2 8 pixels, AVX-512 16,
  // NEON 8), and the plane buffers' neighbours untouched. Bits, not values:
  // the kernel promises the reference's exact roundings.
  const KernelTable& ref = kernel_table(Isa::reference);
  RgbNormalization imagenet;
  const float mean[3] = {0.485f, 0.456f, 0.406f}, stddev[3] = {0.229f, 0.224f, 0.225f};
  std::copy(mean, mean + 3, imagenet.mean);
  std::copy(stddev, stddev + 3, imagenet.stddev);
  RgbNormalization bgr = imagenet, repeated = imagenet;
  bgr.source[0] = 2, bgr.source[2] = 0;
  repeated.source[0] = 1, repeated.source[2] = 1;
  repeated.mean[1] = -3.0f, repeated.stddev[1] = 7.0f;
  std::vector<int> widths = kOddSizes;
  for (int n : {86, 255, 256, 257}) widths.push_back(n);
  for (Isa isa : simd_isas()) {
    const KernelTable& fast = kernel_table(isa);
    for (int n : widths) {
      for (const RgbNormalization* norm : {&imagenet, &bgr, &repeated}) {
        INFO(std::string(isa_name(isa)), " n ", n, " source ", norm->source[0], norm->source[1], norm->source[2]);
        // Only the row's own 3n bytes exist: a read past them shows under ASan.
        std::vector<std::uint8_t> rgb(std::size_t(3) * n);
        for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<std::uint8_t>((i * 97 + n) % 256);
        const std::size_t pitch = std::size_t(n) + 2;  // one guard float before and after each plane
        std::vector<float> out_ref(3 * pitch, -9.0f), out_fast(3 * pitch, -9.0f);
        float* const planes_ref[3] = {&out_ref[1], &out_ref[pitch + 1], &out_ref[2 * pitch + 1]};
        float* const planes_fast[3] = {&out_fast[1], &out_fast[pitch + 1], &out_fast[2 * pitch + 1]};
        ref.normalize_rgb(rgb.data(), n, *norm, planes_ref);
        fast.normalize_rgb(rgb.data(), n, *norm, planes_fast);
        CHECK(std::memcmp(out_ref.data(), out_fast.data(), out_ref.size() * sizeof(float)) == 0);
        for (int p = 0; p < 3; ++p) {
          CHECK(out_fast[p * pitch] == -9.0f);
          CHECK(out_fast[p * pitch + n + 1] == -9.0f);
          const int x = n / 2;  // one sample against the formula itself
          CHECK(planes_fast[p][x] ==
                (static_cast<float>(rgb[3 * std::size_t(x) + norm->source[p]]) / 255.0f - norm->mean[p]) /
                    norm->stddev[p]);
        }
      }
    }
  }
}

TEST_CASE("kernels: GELU relative accuracy over both tails (dense grid of [-14, 14])") {
  // The SIMD GELU goes through erfc (no 1 + erf cancellation), so it is
  // accurate relative to its own value out to the far negative tail, where
  // 1 + erf(x / sqrt 2) is 0 in float. Rounding z = |x| / sqrt 2 and z^2
  // costs a relative error of about (2 + x^2) u in exp(-z^2): the bound.
  std::vector<float> x;
  for (int i = -140000; i <= 140000; ++i) x.push_back(static_cast<float>(i) * 1e-4f);
  x.push_back(-1e30f);
  x.push_back(1e30f);
  for (Isa isa : simd_isas()) {
    std::vector<float> y = x;
    kernel_table(isa).activate(Activation::gelu_erf, y.data(), y.size());
    double worst = 0;
    float worst_x = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double xd = x[i], exact = 0.5 * xd * std::erfc(-xd / std::sqrt(2.0));
      if (std::fabs(exact) < 1e-30) continue;  // near float underflow: absolute error only
      const double units = std::fabs(y[i] - exact) / std::fabs(exact) / (kUnit * (2 + std::min(xd * xd, 1e3)));
      if (units > worst) worst = units, worst_x = x[i];
    }
    INFO(std::string(isa_name(isa)), " worst relative error ", worst, " (2 + x^2) u at x = ", worst_x);
    CHECK(worst <= 6.0);
  }
}

}  // namespace et
