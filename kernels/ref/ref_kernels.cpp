#include "kernels/ref/ref_kernels.h"

#include <algorithm>
#include <cmath>

namespace et::ref {

void linear(const LinearShape& s, const float* x, const float* w, const float* b, float* y) {
#pragma omp parallel for schedule(static)
  for (int n = 0; n < s.rows; ++n) {
    const float* xr = x + static_cast<std::size_t>(n) * s.ldx;
    float* yr = y + static_cast<std::size_t>(n) * s.ldy;
    for (int m = 0; m < s.out; ++m) {
      const float* wr = w + static_cast<std::size_t>(m) * s.in;
      float acc = 0.0f;
      for (int k = 0; k < s.in; ++k) acc += xr[k] * wr[k];
      yr[m] = b ? acc + b[m] : acc;
    }
  }
}

void linear_grouped(const LinearShape& s, int groups, const float* x, const float* w, const float* b,
                    float* y) {
  const int in_per_group = s.in / groups, out_per_group = s.out / groups;
#pragma omp parallel for schedule(static)
  for (int n = 0; n < s.rows; ++n) {
    const float* xr = x + static_cast<std::size_t>(n) * s.ldx;
    float* yr = y + static_cast<std::size_t>(n) * s.ldy;
    for (int m = 0; m < s.out; ++m) {
      const float* xg = xr + (m / out_per_group) * in_per_group;
      const float* wr = w + static_cast<std::size_t>(m) * in_per_group;
      float acc = 0.0f;
      for (int k = 0; k < in_per_group; ++k) acc += xg[k] * wr[k];
      yr[m] = b ? acc + b[m] : acc;
    }
  }
}

void conv2d(const Conv2dShape& s, const float* x, const float* weight, const float* bias, float* y) {
  const int oh = s.out_height(), ow = s.out_width();
  const int in_per_group = s.in_channels / s.groups;
  const int out_per_group = s.out_channels / s.groups;
  const std::size_t in_plane = static_cast<std::size_t>(s.in_height) * s.in_width;
#pragma omp parallel for schedule(static)
  for (int oc = 0; oc < s.out_channels; ++oc) {
    const int first_ic = (oc / out_per_group) * in_per_group;
    const float* wo = weight + static_cast<std::size_t>(oc) * in_per_group * s.kernel * s.kernel;
    float* yo = y + static_cast<std::size_t>(oc) * oh * ow;
    for (int oy = 0; oy < oh; ++oy) {
      for (int ox = 0; ox < ow; ++ox) {
        float acc = 0.0f;
        for (int ic = 0; ic < in_per_group; ++ic) {
          const float* xc = x + (first_ic + ic) * in_plane;
          const float* wc = wo + static_cast<std::size_t>(ic) * s.kernel * s.kernel;
          for (int ky = 0; ky < s.kernel; ++ky) {
            const int iy = oy * s.stride - s.pad + ky;
            if (iy < 0 || iy >= s.in_height) continue;
            for (int kx = 0; kx < s.kernel; ++kx) {
              const int ix = ox * s.stride - s.pad + kx;
              if (ix < 0 || ix >= s.in_width) continue;
              acc += xc[static_cast<std::size_t>(iy) * s.in_width + ix] * wc[ky * s.kernel + kx];
            }
          }
        }
        yo[static_cast<std::size_t>(oy) * ow + ox] = bias ? acc + bias[oc] : acc;
      }
    }
  }
}

void layer_norm(const float* x, int rows, int channels, const float* gamma, const float* beta,
                float eps, float* y) {
#pragma omp parallel for schedule(static)
  for (int r = 0; r < rows; ++r) {
    const float* xr = x + static_cast<std::size_t>(r) * channels;
    float* yr = y + static_cast<std::size_t>(r) * channels;
    float sum = 0.0f;
    for (int c = 0; c < channels; ++c) sum += xr[c];
    const float mean = sum / static_cast<float>(channels);
    float sq = 0.0f;
    for (int c = 0; c < channels; ++c) {
      const float d = xr[c] - mean;
      sq += d * d;
    }
    const float inv_std = 1.0f / std::sqrt(sq / static_cast<float>(channels) + eps);
    for (int c = 0; c < channels; ++c) yr[c] = (xr[c] - mean) * inv_std * gamma[c] + beta[c];
  }
}

void attention(const AttentionShape& s, const float* q, const float* k, const float* v, float* out,
               float* scratch) {
  // Heads and rows are independent, but they share `scratch`; the parallel
  // version of this op lives in the optimised kernels. Kept serial so the
  // reference is the plainest possible statement of the maths.
  for (int h = 0; h < s.heads; ++h)
    attention_head(s, q + std::size_t(h) * s.head_q, k + std::size_t(h) * s.head_k, v + std::size_t(h) * s.head_v,
                   out + std::size_t(h) * s.head_out, scratch);
}

void attention_head(const AttentionShape& s, const float* q, const float* k, const float* v, float* out,
                    float* scratch) {
  for (int i = 0; i < s.queries; ++i) {
    const float* qi = q + static_cast<std::size_t>(i) * s.ldq;
    float max_score = -INFINITY;
    for (int j = 0; j < s.keys; ++j) {
      const float* kj = k + static_cast<std::size_t>(j) * s.ldk;
      float dot = 0.0f;
      for (int d = 0; d < s.key_dim; ++d) dot += qi[d] * kj[d];
      scratch[j] = dot * s.scale;
      max_score = std::max(max_score, scratch[j]);
    }
    float denom = 0.0f;
    for (int j = 0; j < s.keys; ++j) {
      scratch[j] = std::exp(scratch[j] - max_score);
      denom += scratch[j];
    }
    const float inv = 1.0f / denom;
    float* oi = out + static_cast<std::size_t>(i) * s.ldo;
    for (int d = 0; d < s.value_dim; ++d) oi[d] = 0.0f;
    for (int j = 0; j < s.keys; ++j) {
      const float p = scratch[j] * inv;
      const float* vj = v + static_cast<std::size_t>(j) * s.ldv;
      for (int d = 0; d < s.value_dim; ++d) oi[d] += p * vj[d];
    }
  }
}

void gelu_erf(float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * 0.70710678118654752f));
}

void hardswish(float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) x[i] = x[i] * std::clamp(x[i] + 3.0f, 0.0f, 6.0f) / 6.0f;
}

void relu(float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) x[i] = std::max(x[i], 0.0f);
}

void sigmoid_clip(float* x, std::size_t n, float lo, float hi) {
  for (std::size_t i = 0; i < n; ++i) x[i] = std::clamp(1.0f / (1.0f + std::exp(-x[i])), lo, hi);
}

void normalize_rgb(const std::uint8_t* rgb, int n, const RgbNormalization& norm, float* const planes[3]) {
  for (int p = 0; p < 3; ++p)
    for (int x = 0; x < n; ++x)
      planes[p][x] = (static_cast<float>(rgb[3 * x + norm.source[p]]) / 255.0f - norm.mean[p]) / norm.stddev[p];
}

void soft_argmax(const float* logits, int height, int width, float step, float offset, float* prob,
                 float expected[2]) {
  const std::size_t cells = static_cast<std::size_t>(height) * width;
  float max_logit = -INFINITY;
  for (std::size_t i = 0; i < cells; ++i) max_logit = std::max(max_logit, logits[i]);
  float denom = 0.0f;
  for (std::size_t i = 0; i < cells; ++i) {
    prob[i] = std::exp(logits[i] - max_logit);
    denom += prob[i];
  }
  const float inv = 1.0f / denom;
  float ex = 0.0f, ey = 0.0f;
  for (int y = 0; y < height; ++y) {
    const float cy = step * static_cast<float>(y) + offset;
    for (int x = 0; x < width; ++x) {
      float& p = prob[static_cast<std::size_t>(y) * width + x];
      p *= inv;
      ex += p * (step * static_cast<float>(x) + offset);
      ey += p * cy;
    }
  }
  expected[0] = ex;
  expected[1] = ey;
}

void add(float* y, const float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] += x[i];
}

void transpose(const float* x, int rows, int cols, float* y) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      y[static_cast<std::size_t>(c) * rows + r] = x[static_cast<std::size_t>(r) * cols + c];
}

}  // namespace et::ref
