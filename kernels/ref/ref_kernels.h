// Reference kernels: plain loops, no contraction (-ffp-contract=off), the
// yardstick every optimised kernel is tested against. Parallel only across
// independent outputs (OpenMP), each output summed in one fixed order, so a
// result is bit-identical whatever the thread count.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/shapes.h"

namespace et::ref {

// y = x w^T + b (b may be null). See LinearShape.
void linear(const LinearShape& s, const float* x, const float* w, const float* b, float* y);

// A grouped 1x1 convolution over token-major rows (the group-attention qkv):
// s.in and s.out are the totals; group g reads x columns
// [g*in/groups, (g+1)*in/groups) and writes y columns [g*out/groups, ...)
// with weight rows [g*out/groups, ...) of w [out, in/groups] (PyTorch's
// [out, in/groups, 1, 1]). groups = 1 is linear(). b may be null.
void linear_grouped(const LinearShape& s, int groups, const float* x, const float* w, const float* b,
                    float* y);

// CHW convolution with zero padding; bias may be null.
void conv2d(const Conv2dShape& s, const float* x, const float* weight, const float* bias, float* y);

// Per row of `channels` values: (x - mean) / sqrt(var + eps) * gamma + beta,
// biased variance, two-pass. x and y may alias.
void layer_norm(const float* x, int rows, int channels, const float* gamma, const float* beta,
                float eps, float* y);

// Every head, one after another; `scratch` holds at least `keys` floats
// (one row of scores).
void attention(const AttentionShape& s, const float* q, const float* k, const float* v, float* out,
               float* scratch);
// Head 0 of s alone (s.heads and the head offsets unused).
void attention_head(const AttentionShape& s, const float* q, const float* k, const float* v, float* out,
                    float* scratch);

// In place over n values.
void gelu_erf(float* x, std::size_t n);     // 0.5 x (1 + erf(x / sqrt 2))
void hardswish(float* x, std::size_t n);    // x * clamp(x + 3, 0, 6) / 6
void relu(float* x, std::size_t n);
void sigmoid_clip(float* x, std::size_t n, float lo, float hi);  // clamp(1/(1+e^-x), lo, hi)

// See RgbNormalization.
void normalize_rgb(const std::uint8_t* rgb, int n, const RgbNormalization& norm, float* const planes[3]);

// Soft-argmax of one [height, width] logit map (row-major, index
// width*y + x): prob = softmax over all cells, then the expected cell
// coordinate with coordinate step*i + offset along each axis:
// expected[0] = sum prob * (step*x + offset), expected[1] the same in y.
void soft_argmax(const float* logits, int height, int width, float step, float offset, float* prob,
                 float expected[2]);

// y += x over n values.
void add(float* y, const float* x, std::size_t n);

// y[c, r] = x[r, c]: x is [rows, cols] row-major, y is [cols, rows].
void transpose(const float* x, int rows, int cols, float* y);

}  // namespace et::ref
