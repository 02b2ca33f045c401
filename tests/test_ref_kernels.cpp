// The reference kernels (kernels/ref) against double-precision oracles on
// odd shapes around the vector widths (1, 7, 8, 9, 15, 16, 17, 35), strided
// views and partial tiles. Reductions are bounded per output by
// 8 u sqrt(K) sum|terms| (u = 2^-24, K the reduction length), so an indexing
// bug (an O(sum|terms|) error) cannot pass; every failure prints the shape.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/ref/ref_kernels.h"
#include "tests/test_util.h"

namespace et {
namespace {

constexpr double kU = 0x1p-24;  // float32 unit roundoff
constexpr float kSentinel = -12345.0f;

double reduction_bound(int k, double abs_sum) { return 8.0 * kU * std::sqrt(double(k)) * abs_sum + 1e-30; }

struct Worst {
  double ratio = 0;  // largest |error| / bound seen
  void add(double got, double want, double bound) { ratio = std::max(ratio, std::fabs(got - want) / bound); }
};

}  // namespace

TEST_CASE("ref kernels: linear with strided rows and optional bias") {
  for (int rows : {1, 7, 17})
    for (int in : {1, 8, 9, 35})
      for (int out : {1, 15, 16, 17})
        for (bool bias : {false, true}) {
          INFO("rows ", rows, " in ", in, " out ", out, " bias ", bias);
          const int ldx = in + 3, ldy = out + 5;
          const LinearShape s{rows, in, out, ldx, ldy};
          const auto x = test::random_values(std::size_t(rows) * ldx, 1);
          const auto w = test::random_values(std::size_t(out) * in, 2);
          const auto b = test::random_values(std::size_t(out), 3);
          std::vector<float> y(std::size_t(rows) * ldy, kSentinel);
          ref::linear(s, x.data(), w.data(), bias ? b.data() : nullptr, y.data());
          Worst worst;
          for (int n = 0; n < rows; ++n)
            for (int m = 0; m < ldy; ++m) {
              const float got = y[std::size_t(n) * ldy + m];
              if (m >= out) {
                CHECK(got == kSentinel);  // the stride's gap is not written
                continue;
              }
              double acc = bias ? b[m] : 0.0, abs_sum = bias ? std::fabs(b[m]) : 0.0;
              for (int k = 0; k < in; ++k) {
                const double t = double(x[std::size_t(n) * ldx + k]) * w[std::size_t(m) * in + k];
                acc += t;
                abs_sum += std::fabs(t);
              }
              worst.add(got, acc, reduction_bound(in + 1, abs_sum));
            }
          CHECK(worst.ratio <= 1.0);
        }
}

TEST_CASE("ref kernels: grouped linear (grouped 1x1 conv) over strided rows") {
  for (int groups : {1, 2, 3, 4})
    for (int in_per : {1, 5, 16})
      for (int out_per : {1, 7, 40}) {
        const int rows = 9, in = groups * in_per, out = groups * out_per, ldx = in + 2, ldy = out + 1;
        INFO("groups ", groups, " in ", in, " out ", out, " rows ", rows);
        const LinearShape s{rows, in, out, ldx, ldy};
        const auto x = test::random_values(std::size_t(rows) * ldx, 4);
        const auto w = test::random_values(std::size_t(out) * in_per, 5);  // [out, in/groups]
        const auto b = test::random_values(std::size_t(out), 6);
        std::vector<float> y(std::size_t(rows) * ldy, kSentinel);
        ref::linear_grouped(s, groups, x.data(), w.data(), b.data(), y.data());
        Worst worst;
        for (int n = 0; n < rows; ++n) {
          CHECK(y[std::size_t(n) * ldy + out] == kSentinel);
          for (int m = 0; m < out; ++m) {
            const int g = m / out_per;
            double acc = b[m], abs_sum = std::fabs(b[m]);
            for (int k = 0; k < in_per; ++k) {
              const double t = double(x[std::size_t(n) * ldx + g * in_per + k]) * w[std::size_t(m) * in_per + k];
              acc += t;
              abs_sum += std::fabs(t);
            }
            worst.add(y[std::size_t(n) * ldy + m], acc, reduction_bound(in_per + 1, abs_sum));
          }
        }
        CHECK(worst.ratio <= 1.0);
      }
}

TEST_CASE("ref kernels: conv2d with kernels 1, 2, 3, 16, strides, padding and groups") {
  struct Case {
    int in_c, h, w, out_c, kernel, stride, pad, groups;
  };
  const Case cases[] = {
      {3, 9, 7, 5, 1, 1, 0, 1},    {4, 8, 8, 6, 1, 1, 0, 2},    {3, 17, 16, 8, 2, 2, 0, 1},
      {6, 15, 9, 9, 2, 2, 0, 3},   {3, 17, 15, 7, 3, 2, 1, 1},  {8, 16, 16, 16, 3, 1, 1, 1},
      {6, 7, 9, 6, 3, 1, 1, 6},    {3, 35, 33, 4, 16, 16, 0, 1}, {3, 32, 48, 5, 16, 16, 0, 1},
      {2, 5, 5, 3, 3, 1, 0, 1},
  };
  for (const Case& c : cases) {
    const Conv2dShape s{c.in_c, c.h, c.w, c.out_c, c.kernel, c.stride, c.pad, c.groups};
    INFO("in ", c.in_c, "x", c.h, "x", c.w, " out ", c.out_c, " kernel ", c.kernel, " stride ", c.stride, " pad ",
         c.pad, " groups ", c.groups);
    const int oh = s.out_height(), ow = s.out_width(), in_per = c.in_c / c.groups, out_per = c.out_c / c.groups;
    const auto x = test::random_values(std::size_t(c.in_c) * c.h * c.w, 7);
    const auto w = test::random_values(std::size_t(c.out_c) * in_per * c.kernel * c.kernel, 8);
    const auto b = test::random_values(std::size_t(c.out_c), 9);
    std::vector<float> y(std::size_t(c.out_c) * oh * ow + 1, kSentinel);
    ref::conv2d(s, x.data(), w.data(), b.data(), y.data());
    CHECK(y.back() == kSentinel);
    Worst worst;
    for (int o = 0; o < c.out_c; ++o)
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          double acc = b[o], abs_sum = std::fabs(b[o]);
          for (int i = 0; i < in_per; ++i)
            for (int ky = 0; ky < c.kernel; ++ky)
              for (int kx = 0; kx < c.kernel; ++kx) {
                const int iy = oy * c.stride - c.pad + ky, ix = ox * c.stride - c.pad + kx;
                if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                const int ic = (o / out_per) * in_per + i;
                const double t = double(x[(std::size_t(ic) * c.h + iy) * c.w + ix]) *
                                 w[((std::size_t(o) * in_per + i) * c.kernel + ky) * c.kernel + kx];
                acc += t;
                abs_sum += std::fabs(t);
              }
          worst.add(y[(std::size_t(o) * oh + oy) * ow + ox], acc,
                    reduction_bound(in_per * c.kernel * c.kernel + 1, abs_sum));
        }
    CHECK(worst.ratio <= 1.0);
  }
}

TEST_CASE("ref kernels: layer_norm, also in place") {
  for (int rows : {1, 5})
    for (int channels : {1, 7, 17, 48, 256})
      for (bool in_place : {false, true}) {
        INFO("rows ", rows, " channels ", channels, " in place ", in_place);
        auto x = test::random_values(std::size_t(rows) * channels, 10, 3.0f);
        for (float& v : x) v += 5.0f;  // a mean far from 0: the two-pass variance must cope
        const auto gamma = test::random_values(std::size_t(channels), 11);
        const auto beta = test::random_values(std::size_t(channels), 12);
        std::vector<float> y = in_place ? x : std::vector<float>(x.size());
        const std::vector<float> input = x;
        ref::layer_norm(in_place ? y.data() : x.data(), rows, channels, gamma.data(), beta.data(), 1e-5f, y.data());
        Worst worst;
        for (int r = 0; r < rows; ++r) {
          const float* xr = input.data() + std::size_t(r) * channels;
          double mean = 0, var = 0;
          for (int c = 0; c < channels; ++c) mean += xr[c];
          mean /= channels;
          for (int c = 0; c < channels; ++c) var += (xr[c] - mean) * (xr[c] - mean);
          var /= channels;
          const double inv = 1.0 / std::sqrt(var + double(1e-5f));
          for (int c = 0; c < channels; ++c) {
            const double normed = (xr[c] - mean) * inv;
            const double want = normed * gamma[c] + beta[c];
            // Relative to the normalised value's scale (|x - mean| / std <= sqrt(C)).
            const double scale = std::fabs(normed * gamma[c]) + std::fabs(beta[c]) + std::fabs(gamma[c]);
            worst.add(y[std::size_t(r) * channels + c], want, 16.0 * kU * std::sqrt(double(channels)) * scale + 1e-30);
          }
        }
        CHECK(worst.ratio <= 1.0);
      }
}

TEST_CASE("ref kernels: attention of several heads is each head alone at its offsets") {
  // 3 heads of [q k v] (dk 5, dv 7) side by side per row, outputs side by side.
  const int heads = 3, dk = 5, dv = 7, group = 2 * dk + dv, ld = heads * group + 1, ldo = heads * dv + 2;
  const int queries = 9, keys = 11;
  const auto qkv = test::random_values(std::size_t(keys) * ld, 29, 1.5f);
  const AttentionShape s{queries, keys, dk, dv, ld, ld, ld, ldo, 0.4f, heads, group, group, group, dv};
  std::vector<float> all(std::size_t(queries) * ldo, kSentinel), alone = all;
  std::vector<float> scratch(static_cast<std::size_t>(keys));
  ref::attention(s, qkv.data(), qkv.data() + dk, qkv.data() + 2 * dk, all.data(), scratch.data());
  for (int h = 0; h < heads; ++h)
    ref::attention_head(s, qkv.data() + h * group, qkv.data() + h * group + dk, qkv.data() + h * group + 2 * dk,
                        alone.data() + h * dv, scratch.data());
  CHECK(all == alone);
  CHECK(all[std::size_t(ldo) - 1] == kSentinel);  // the stride padding stays
  CHECK(all[std::size_t(heads) * dv - 1] != kSentinel);
}

TEST_CASE("ref kernels: attention with key dim != value dim over strided q, k, v and out") {
  struct Case {
    int queries, keys, key_dim, value_dim;
  };
  for (const Case& c : {Case{1, 1, 1, 1}, Case{7, 9, 16, 64}, Case{17, 35, 8, 15}, Case{33, 17, 64, 16},
                        Case{16, 320, 9, 7}}) {
    INFO("queries ", c.queries, " keys ", c.keys, " key_dim ", c.key_dim, " value_dim ", c.value_dim);
    // q, k, v interleaved in one buffer per row, as the qkv buffers are: row stride 2kd + dv + 3.
    const int ld = 2 * c.key_dim + c.value_dim + 3, ldo = c.value_dim + 2;
    const int rows = std::max(c.queries, c.keys);
    const float scale = 1.0f / std::sqrt(static_cast<float>(c.key_dim));
    const auto qkv = test::random_values(std::size_t(rows) * ld, 13, 1.5f);
    const float *q = qkv.data(), *k = qkv.data() + c.key_dim, *v = qkv.data() + 2 * c.key_dim;
    std::vector<float> out(std::size_t(c.queries) * ldo, kSentinel), scratch(std::size_t(c.keys));
    ref::attention({c.queries, c.keys, c.key_dim, c.value_dim, ld, ld, ld, ldo, scale}, q, k, v, out.data(),
                   scratch.data());
    Worst worst;
    for (int i = 0; i < c.queries; ++i) {
      std::vector<double> s(std::size_t(c.keys));
      double max_s = -INFINITY, max_abs_dot = 0, max_v = 0;
      for (int j = 0; j < c.keys; ++j) {
        double dot = 0, abs_dot = 0;
        for (int d = 0; d < c.key_dim; ++d) {
          const double t = double(q[std::size_t(i) * ld + d]) * k[std::size_t(j) * ld + d];
          dot += t;
          abs_dot += std::fabs(t);
        }
        s[std::size_t(j)] = dot * scale;
        max_s = std::max(max_s, s[std::size_t(j)]);
        max_abs_dot = std::max(max_abs_dot, abs_dot * scale);
      }
      double denom = 0;
      for (double& e : s) denom += e = std::exp(e - max_s);
      for (int j = 0; j < c.keys; ++j)
        for (int d = 0; d < c.value_dim; ++d) max_v = std::max(max_v, double(std::fabs(v[std::size_t(j) * ld + d])));
      // Score errors (~u sqrt(kd) sum|q k|) become relative errors of the
      // probabilities; the weighted sum adds u sqrt(keys).
      const double bound = 8.0 * kU * (std::sqrt(double(c.key_dim)) * max_abs_dot + std::sqrt(double(c.keys)) + 2) * max_v;
      for (int d = 0; d < ldo; ++d) {
        const float got = out[std::size_t(i) * ldo + d];
        if (d >= c.value_dim) {
          CHECK(got == kSentinel);
          continue;
        }
        double want = 0;
        for (int j = 0; j < c.keys; ++j) want += s[std::size_t(j)] / denom * v[std::size_t(j) * ld + d];
        worst.add(got, want, bound + 1e-30);
      }
    }
    CHECK(worst.ratio <= 1.0);
  }
}

TEST_CASE("ref kernels: soft_argmax over odd maps") {
  struct Case {
    int height, width;
    float step, offset, logit_scale;
  };
  for (const Case& c : {Case{1, 1, 16, 0, 1}, Case{16, 16, 16, 0, 3}, Case{16, 16, 16, 15, 3}, Case{7, 17, 2, 0.5f, 10},
                        Case{9, 8, 16, 15, 40}}) {
    INFO("map ", c.height, "x", c.width, " step ", c.step, " offset ", c.offset, " logit scale ", c.logit_scale);
    const std::size_t cells = std::size_t(c.height) * c.width;
    const auto logits = test::random_values(cells, 14, c.logit_scale);
    std::vector<float> prob(cells + 1, kSentinel);
    float expected[2];
    ref::soft_argmax(logits.data(), c.height, c.width, c.step, c.offset, prob.data(), expected);
    CHECK(prob.back() == kSentinel);
    const double max_logit = *std::max_element(logits.begin(), logits.end());
    std::vector<double> p(cells);
    double denom = 0, ex = 0, ey = 0;
    for (std::size_t i = 0; i < cells; ++i) denom += p[i] = std::exp(logits[i] - max_logit);
    for (int y = 0; y < c.height; ++y)
      for (int x = 0; x < c.width; ++x) {
        const double pi = p[std::size_t(y) * c.width + x] / denom;
        p[std::size_t(y) * c.width + x] = pi;
        ex += pi * (double(c.step) * x + c.offset);
        ey += pi * (double(c.step) * y + c.offset);
      }
    const double span = double(c.step) * std::max(c.height, c.width) + c.offset;
    const double bound = 16.0 * kU * std::sqrt(double(cells)) * (span + 1);
    CHECK(std::fabs(expected[0] - ex) <= bound);
    CHECK(std::fabs(expected[1] - ey) <= bound);
    Worst worst;
    for (std::size_t i = 0; i < cells; ++i) worst.add(prob[i], p[i], 16.0 * kU * std::sqrt(double(cells)) * p[i] + 1e-30);
    CHECK(worst.ratio <= 1.0);
  }
}

TEST_CASE("ref kernels: activations, add and transpose element by element") {
  for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{16}, std::size_t{35}}) {
    INFO("n ", n);
    auto x = test::random_values(n, 15, 4.0f);
    x[0] = n > 1 ? -7.5f : 0.0f;  // GELU's cancelling tail / HardSwish's flat part
    auto apply = [&](void (*op)(float*, std::size_t)) {
      std::vector<float> y = x;
      op(y.data(), n);
      return y;
    };
    const auto gelu = apply(ref::gelu_erf), hswish = apply(ref::hardswish), relu = apply(ref::relu);
    for (std::size_t i = 0; i < n; ++i) {
      const double v = x[i];
      INFO("x ", v);
      const double g = 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
      // float erf's absolute error ~u, times |x|/2: absolute in |x|.
      CHECK(std::fabs(gelu[i] - g) <= 4.0 * kU * (std::fabs(g) + std::fabs(v)) + 1e-30);
      const double h = v * std::clamp(v + 3.0, 0.0, 6.0) / 6.0;
      CHECK(std::fabs(hswish[i] - h) <= 4.0 * kU * (std::fabs(h) + std::fabs(v)) + 1e-30);
      CHECK(relu[i] == std::max(x[i], 0.0f));
    }
    std::vector<float> s = x;
    s[0] = 30.0f;  // clipped to hi
    if (n > 1) s[1] = -30.0f;  // clipped to lo
    const std::vector<float> raw = s;
    ref::sigmoid_clip(s.data(), n, 1e-4f, 1.0f - 1e-4f);
    CHECK(s[0] == 1.0f - 1e-4f);
    if (n > 1) CHECK(s[1] == 1e-4f);
    for (std::size_t i = 0; i < n; ++i) {
      const double want = std::clamp(1.0 / (1.0 + std::exp(-double(raw[i]))), double(1e-4f), double(1.0f - 1e-4f));
      CHECK(std::fabs(s[i] - want) <= 4.0 * kU * want);
    }
    const auto other = test::random_values(n, 16);
    std::vector<float> sum = x;
    ref::add(sum.data(), other.data(), n);
    for (std::size_t i = 0; i < n; ++i) CHECK(sum[i] == static_cast<float>(double(x[i]) + double(other[i])));
  }
  for (int rows : {1, 7, 17})
    for (int cols : {1, 16, 35}) {
      INFO("transpose ", rows, "x", cols);
      const auto x = test::random_values(std::size_t(rows) * cols, 17);
      std::vector<float> y(x.size());
      ref::transpose(x.data(), rows, cols, y.data());
      bool exact = true;
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) exact = exact && y[std::size_t(c) * rows + r] == x[std::size_t(r) * cols + c];
      CHECK(exact);
    }
}

}  // namespace et
