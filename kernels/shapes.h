// Problem descriptions shared by the reference kernels and (later) the SIMD
// kernels, so both take exactly the same arguments.
#pragma once
#include <cstddef>

namespace et {

// y[n, m] = b[m] + sum_k x[n, k] * w[m, k]   (PyTorch Linear, w is [out, in])
// Rows of x and y may be strided (ldx, ldy in floats) to read/write slices.
struct LinearShape {
  int rows = 0;      // n: tokens
  int in = 0;        // k
  int out = 0;       // m
  int ldx = 0;       // >= in
  int ldy = 0;       // >= out
};

// Planar CHW convolution of one image; weight [out_c, in_c/groups, kh, kw].
struct Conv2dShape {
  int in_channels = 0, in_height = 0, in_width = 0;
  int out_channels = 0;
  int kernel = 0;  // square kernel side
  int stride = 1;
  int pad = 0;     // symmetric zero padding
  int groups = 1;

  int out_height() const { return (in_height + 2 * pad - kernel) / stride + 1; }
  int out_width() const { return (in_width + 2 * pad - kernel) / stride + 1; }
};

// Attention heads over token-major rows; head h:
// out_h[i, :dv] = sum_j softmax_j(scale * q_h[i, :dk] . k_h[j, :dk]) v_h[j, :dv]
// q/k/v/out are row-strided views (ld* in floats), e.g. slices of a qkv
// buffer; head h's views start h * head_q (head_k, head_v, head_out) floats
// after head 0's, e.g. the heads' columns side by side in one row.
struct AttentionShape {
  int queries = 0, keys = 0;
  int key_dim = 0, value_dim = 0;
  int ldq = 0, ldk = 0, ldv = 0, ldo = 0;
  float scale = 1.0f;
  int heads = 1;
  int head_q = 0, head_k = 0, head_v = 0, head_out = 0;
};

// Interleaved 8-bit RGB (3 bytes per pixel) to planar floats, the network
// input's normalisation (tracker.md step 3):
//   planes[p][x] = (float(rgb[3x + source[p]]) / 255 - mean[p]) / stddev[p]
// in float32, each operation rounded once (two true divisions: an FMA or a
// reciprocal would round differently). source[p] in {0, 1, 2}.
struct RgbNormalization {
  int source[3] = {0, 1, 2};
  float mean[3] = {0.0f, 0.0f, 0.0f};
  float stddev[3] = {1.0f, 1.0f, 1.0f};
};

}  // namespace et
