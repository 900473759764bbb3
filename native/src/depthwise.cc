// Depthwise 2-D convolution, NHWC: direct loops vectorized over the channels.
//
//   x [B, H, W, C], filter [FH, FW, C, cm], y [B, OH, OW, O = C*cm] with
//   y[b, oh, ow, c*cm + q] = sum_{fh, fw} x[b, oh*sh - pt + fh*dh, ow*sw - pl + fw*dw, c] * w[fh, fw, c, q].
// The filter at one tap, w[fh, fw], is a vector of length O indexed like the output channels.
//   forward      one task per output row (b, oh), accumulated in place over the taps (L1-resident row)
//   input grad   one task per input row (b, ih): gathers the dy rows that read it, scatters along the row
//   filter grad  the output rows split over the threads, each into its own dW, then summed
#include <algorithm>
#include <cstring>
#include <memory>

#include "conv.h"
#include "napi_util.h"
#include "thread_pool.h"
#include "vmath.h"  // CONTRASTIVE_CLONES


namespace contrastive {
namespace {

// Output columns [lo, hi) whose input column ow*s + off falls inside [0, n).
inline void valid_range(int64_t off, int64_t s, int64_t n, int64_t count, int64_t& lo, int64_t& hi) {
  // ow*s + off >= 0  <=>  ow >= ceil(-off / s);  ow*s + off <= n - 1  <=>  ow <= floor((n - 1 - off) / s).
  auto floor_div = [](int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
  lo = std::max<int64_t>(0, -floor_div(off, s));
  hi = std::min<int64_t>(count, floor_div(n - 1 - off, s) + 1);
  if (hi < lo) hi = lo;
}

// y row (b, oh): yrow[OW, O] = sum over taps.
CONTRASTIVE_CLONES
void forward_row(const float* x, const float* w, float* yrow, const ConvGeom& g, int64_t b, int64_t oh) {
  const int64_t C = g.C, O = g.O, cm = O / C;
  std::memset(yrow, 0, sizeof(float) * g.OW * O);
  for (int64_t fh = 0; fh < g.FH; ++fh) {
    const int64_t ih = oh * g.sh - g.pt + fh * g.dh;
    if (ih < 0 || ih >= g.H) continue;
    const float* xrow = x + (b * g.H + ih) * g.W * C;
    for (int64_t fw = 0; fw < g.FW; ++fw) {
      const float* wp = w + (fh * g.FW + fw) * O;
      const int64_t off = fw * g.dw - g.pl;
      int64_t lo, hi;
      valid_range(off, g.sw, g.W, g.OW, lo, hi);
      for (int64_t ow = lo; ow < hi; ++ow) {
        const float* xp = xrow + (ow * g.sw + off) * C;
        float* yp = yrow + ow * O;
        if (cm == 1) {
          for (int64_t c = 0; c < C; ++c) yp[c] += xp[c] * wp[c];
        } else {
          for (int64_t c = 0; c < C; ++c) {
            const float xv = xp[c];
            for (int64_t q = 0; q < cm; ++q) yp[c * cm + q] += xv * wp[c * cm + q];
          }
        }
      }
    }
  }
}

// dx row (b, ih): dxrow[W, C].
CONTRASTIVE_CLONES
void backprop_input_row(const float* dy, const float* w, float* dxrow, const ConvGeom& g, int64_t b, int64_t ih) {
  const int64_t C = g.C, O = g.O, cm = O / C;
  std::memset(dxrow, 0, sizeof(float) * g.W * C);
  for (int64_t fh = 0; fh < g.FH; ++fh) {
    const int64_t t = ih + g.pt - fh * g.dh;  // = oh * sh
    if (t < 0 || t % g.sh != 0 || t / g.sh >= g.OH) continue;
    const float* dyrow = dy + (b * g.OH + t / g.sh) * g.OW * O;
    for (int64_t fw = 0; fw < g.FW; ++fw) {
      const float* wp = w + (fh * g.FW + fw) * O;
      const int64_t off = fw * g.dw - g.pl;
      int64_t lo, hi;
      valid_range(off, g.sw, g.W, g.OW, lo, hi);
      for (int64_t ow = lo; ow < hi; ++ow) {
        float* dxp = dxrow + (ow * g.sw + off) * C;
        const float* dyp = dyrow + ow * O;
        if (cm == 1) {
          for (int64_t c = 0; c < C; ++c) dxp[c] += dyp[c] * wp[c];
        } else {
          for (int64_t c = 0; c < C; ++c) {
            float s = 0.f;
            for (int64_t q = 0; q < cm; ++q) s += dyp[c * cm + q] * wp[c * cm + q];
            dxp[c] += s;
          }
        }
      }
    }
  }
}

// dw[FH, FW, O] += contributions of the output rows [r0, r1) (row index b*OH + oh).
CONTRASTIVE_CLONES
void backprop_filter_rows(const float* x, const float* dy, float* dw, const ConvGeom& g, int64_t r0, int64_t r1) {
  const int64_t C = g.C, O = g.O, cm = O / C;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t b = r / g.OH, oh = r % g.OH;
    const float* dyrow = dy + r * g.OW * O;
    for (int64_t fh = 0; fh < g.FH; ++fh) {
      const int64_t ih = oh * g.sh - g.pt + fh * g.dh;
      if (ih < 0 || ih >= g.H) continue;
      const float* xrow = x + (b * g.H + ih) * g.W * C;
      for (int64_t fw = 0; fw < g.FW; ++fw) {
        float* dwp = dw + (fh * g.FW + fw) * O;
        const int64_t off = fw * g.dw - g.pl;
        int64_t lo, hi;
        valid_range(off, g.sw, g.W, g.OW, lo, hi);
        for (int64_t ow = lo; ow < hi; ++ow) {
          const float* xp = xrow + (ow * g.sw + off) * C;
          const float* dyp = dyrow + ow * O;
          if (cm == 1) {
            for (int64_t c = 0; c < C; ++c) dwp[c] += xp[c] * dyp[c];
          } else {
            for (int64_t c = 0; c < C; ++c) {
              const float xv = xp[c];
              for (int64_t q = 0; q < cm; ++q) dwp[c * cm + q] += xv * dyp[c * cm + q];
            }
          }
        }
      }
    }
  }
}

// Work per task below which rows stay on one thread.
constexpr int64_t kGrainElems = 1 << 15;

int64_t rows_grain(int64_t per_row) { return std::max<int64_t>(1, kGrainElems / std::max<int64_t>(1, per_row)); }

// depthwiseConv2d(x, w, y, geom, bias|null, act, alpha, prelu|null)
Napi::Value DepthwiseConv2D(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  const float* w = f32(info[1]);
  float* y = f32(info[2]);
  const ConvGeom g = read_geom(info[3]);
  Epilogue epi;
  epi.bias = f32_or_null(info[4]);
  epi.act = static_cast<Act>(num(info[5]));
  epi.alpha = static_cast<float>(dbl(info[6]));
  epi.prelu = f32_or_null(info[7]);
  if (g.C == 0) {
    std::fill(y, y + g.B * g.OH * g.OW * g.O, 0.f);
    apply_epilogue(g.B * g.OH * g.OW, g.O, y, g.O, epi);
    return info.Env().Undefined();
  }
  const int64_t per_row = g.OW * g.O * g.FH * g.FW;
  parallel_range(g.B * g.OH, rows_grain(per_row), [&](int64_t r0, int64_t r1, int) {
    for (int64_t r = r0; r < r1; ++r) {
      float* yrow = y + r * g.OW * g.O;
      forward_row(x, w, yrow, g, r / g.OH, r % g.OH);
      apply_epilogue(g.OW, g.O, yrow, g.O, epi);
    }
  });
  return info.Env().Undefined();
}

// depthwiseConv2dBackpropInput(dy, w, dx, geom)
Napi::Value DepthwiseConv2DBackpropInput(const Napi::CallbackInfo& info) {
  const float* dy = f32(info[0]);
  const float* w = f32(info[1]);
  float* dx = f32(info[2]);
  const ConvGeom g = read_geom(info[3]);
  if (g.C == 0) return info.Env().Undefined();
  const int64_t per_row = g.OW * g.O * g.FH * g.FW / std::max<int64_t>(1, g.sh);
  parallel_range(g.B * g.H, rows_grain(per_row), [&](int64_t r0, int64_t r1, int) {
    for (int64_t r = r0; r < r1; ++r) backprop_input_row(dy, w, dx + r * g.W * g.C, g, r / g.H, r % g.H);
  });
  return info.Env().Undefined();
}

// depthwiseConv2dBackpropFilter(x, dy, dw, geom)
Napi::Value DepthwiseConv2DBackpropFilter(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  const float* dy = f32(info[1]);
  float* dw = f32(info[2]);
  const ConvGeom g = read_geom(info[3]);
  const int64_t n = g.FH * g.FW * g.O, rows = g.B * g.OH;
  std::fill(dw, dw + n, 0.f);
  if (n == 0 || rows == 0) return info.Env().Undefined();
  const int64_t per_row = g.OW * g.O * g.FH * g.FW;
  const int64_t parts = std::min<int64_t>(num_threads(), rows / rows_grain(per_row));
  if (parts <= 1) {
    backprop_filter_rows(x, dy, dw, g, 0, rows);
    return info.Env().Undefined();
  }
  std::unique_ptr<float[]> partial(new float[static_cast<size_t>((parts - 1) * n)]());
  parallel_for(parts, [&](int64_t p, int) {
    float* out = p == 0 ? dw : partial.get() + (p - 1) * n;
    backprop_filter_rows(x, dy, out, g, rows * p / parts, rows * (p + 1) / parts);
  });
  for (int64_t p = 1; p < parts; ++p) {
    const float* s = partial.get() + (p - 1) * n;
    for (int64_t j = 0; j < n; ++j) dw[j] += s[j];
  }
  return info.Env().Undefined();
}

}  // namespace

void init_depthwise(Napi::Env, Napi::Object exports) {
  CONTRASTIVE_EXPORT(exports, "depthwiseConv2d", DepthwiseConv2D);
  CONTRASTIVE_EXPORT(exports, "depthwiseConv2dBackpropInput", DepthwiseConv2DBackpropInput);
  CONTRASTIVE_EXPORT(exports, "depthwiseConv2dBackpropFilter", DepthwiseConv2DBackpropFilter);
}

}  // namespace contrastive
