// The reference kernel table: the fused signatures of kernels.h expressed
// with the plain kernels of ref_kernels.h. "Packing" keeps PyTorch's layout.
#include <cstring>

#include "kernels/kernels.h"
#include "kernels/ref/ref_kernels.h"

namespace et {
namespace {

void activate(Activation act, float* x, std::size_t n) {
  switch (act) {
    case Activation::none: return;
    case Activation::relu: ref::relu(x, n); return;
    case Activation::gelu_erf: ref::gelu_erf(x, n); return;
    case Activation::hardswish: ref::hardswish(x, n); return;
  }
}

std::size_t packed_linear_floats(int out, int in) { return std::size_t(out) * in + std::size_t(out); }

// Layout: w [out, in] then bias [out].
void pack_linear(const float* w, const float* bias, int out, int in, float* packed) {
  std::memcpy(packed, w, std::size_t(out) * in * sizeof(float));
  float* b = packed + std::size_t(out) * in;
  for (int m = 0; m < out; ++m) b[m] = bias ? bias[m] : 0.0f;
}

void linear(const LinearShape& s, const float* x, const float* packed, Activation act, bool accumulate, float* y) {
  const float* bias = packed + std::size_t(s.out) * s.in;
#pragma omp parallel for schedule(static)
  for (int n = 0; n < s.rows; ++n) {
    const float* xr = x + std::size_t(n) * s.ldx;
    float* yr = y + std::size_t(n) * s.ldy;
    for (int m = 0; m < s.out; ++m) {
      const float* wr = packed + std::size_t(m) * s.in;
      float v = 0.0f;
      for (int k = 0; k < s.in; ++k) v += xr[k] * wr[k];
      v += bias[m];
      activate(act, &v, 1);
      yr[m] = accumulate ? yr[m] + v : v;
    }
  }
}

std::size_t conv2d_scratch_floats(const Conv2dShape&, int) { return 0; }

void conv2d(const Conv2dShape& s, const float* x, const float* weight, const float* bias, Activation act, float* y,
            float*, int) {
  ref::conv2d(s, x, weight, bias, y);
  activate(act, y, std::size_t(s.out_channels) * s.out_height() * s.out_width());
}

std::size_t attention_scratch_floats(const AttentionShape& s, int) { return std::size_t(s.keys); }

void attention(const AttentionShape& s, const float* q, const float* k, const float* v, float* out, float* scratch,
               int) {
  ref::attention(s, q, k, v, out, scratch);
}

void transpose(const float* x, int rows, int cols, bool accumulate, float* y) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      float& out = y[std::size_t(c) * rows + r];
      const float v = x[std::size_t(r) * cols + c];
      out = accumulate ? out + v : v;
    }
}

const KernelTable kTable = {
    Isa::reference,  packed_linear_floats, pack_linear, linear, conv2d_scratch_floats, conv2d,
    attention_scratch_floats, attention, ref::layer_norm, activate, ref::sigmoid_clip, ref::soft_argmax,
    ref::add,        transpose,           ref::normalize_rgb};

}  // namespace

const KernelTable& reference_kernel_table() { return kTable; }

}  // namespace et
