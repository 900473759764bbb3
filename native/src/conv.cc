// 2-D convolution, NHWC, as implicit GEMM on the packed GEMM of gemm.h (3x3 stride-1 convolutions
// with enough channels and tiles go to Winograd, winograd.cc).
//
//   x [B, H, W, C], filter [FH, FW, C, O], y [B, OH, OW, O]; im2col row of output pixel
//   i = (b, oh, ow) and column k = (fh * FW + fw) * C + c holds x[b, oh*sh - pt + fh*dh,
//   ow*sw - pl + fw*dw, c] (0 outside the image); the filter is a [K = FH*FW*C, O] matrix.
//
//   forward      y[M = B*OH*OW, O] = im2col(x)[M, K] x W[K, O]       (+ bias, activation epilogue)
//                1x1 stride-1 unpadded: a plain GEMM on x
//   filter grad  dW[K, O] = im2col(x)^T[K, M] x dy[M, O]              (pixels split over threads)
//   input grad   stride 1 when that is a 1x1 or a Winograd convolution: a forward convolution of dy
//                with the filter rotated by 180 degrees and transposed ([FH, FW, O, C]), padding
//                (F-1)*d - p;
//                otherwise: dcol[rows, K] = dy[rows, O] x W^T[O, K] for blocks of output rows of
//                one image (~1 MB), scatter-added (col2im) into dx; images in parallel.
// The im2col matrix is never built: its rows are gathered straight into the GEMM's packed panels
// (Im2colPackA, Im2colTPackA); on AVX-512 the gather transposes 16 x 16 blocks in registers.
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "conv.h"
#include "napi_util.h"
#include "thread_pool.h"

#if defined(CONTRASTIVE_X64) && defined(__GNUC__)
#include <immintrin.h>
#define CONV_HAVE_AVX512 1
#define CONV_AVX512 __attribute__((target("avx512f")))
#endif

namespace contrastive {
namespace {

constexpr int kMaxMR = 16;

#if defined(CONV_HAVE_AVX512)
// GCC 12 flags _mm512_undefined_ps inside the shuffle intrinsics (a known false positive).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
bool cpu_has_avx512() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return has;
}

// In-register transpose: r[i] holds row i (16 floats) on entry, column i on exit.
CONV_AVX512 inline void transpose16(__m512 r[16]) {
  __m512 t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    r[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    t[j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88);
    t[4 + j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xDD);
    t[8 + j] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
    t[12 + j] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xDD);
  }
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    r[j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0x88);
    r[8 + j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0xDD);
    r[4 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0x88);
    r[12 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0xDD);
  }
}

// out[c * MR + r] = src[r] ? src[r][c] : 0 for c < len, r < MR (MR <= 16).
CONV_AVX512 void gather_transpose_avx512(const float* const* src, int MR, int64_t len, float* out) {
  const __mmask16 smask = static_cast<__mmask16>((1u << MR) - 1);
  __m512 r[16];
  for (int64_t c = 0; c < len; c += 16) {
    const int64_t n = std::min<int64_t>(16, len - c);
    const __mmask16 lmask = static_cast<__mmask16>(n == 16 ? 0xFFFFu : (1u << n) - 1);
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i)
      r[i] = (i < MR && src[i]) ? _mm512_maskz_loadu_ps(lmask, src[i] + c) : _mm512_setzero_ps();
    transpose16(r);
    float* o = out + c * MR;
    if (n == 16) {
#pragma GCC unroll 16
      for (int j = 0; j < 16; ++j) _mm512_mask_storeu_ps(o + j * MR, smask, r[j]);
    } else {
      alignas(64) float tmp[16][16];
#pragma GCC unroll 16
      for (int j = 0; j < 16; ++j) _mm512_store_ps(tmp[j], r[j]);
      for (int64_t j = 0; j < n; ++j) _mm512_mask_storeu_ps(o + j * MR, smask, _mm512_load_ps(tmp[j]));
    }
  }
}

// One run of a transposed-im2col panel (see Im2colTPackA): for each pixel p, d[p * MR + r0 + c] =
// x[pixel p at tap offset (ih_off, iw_off), channel c0 + c] for c < len <= 16 (0 outside the image).
CONV_AVX512 void copy_run_avx512(const float* x, const ConvGeom& g, const int64_t* info, int64_t n, int64_t ih_off,
                                 int64_t iw_off, int64_t c0, int64_t len, int MR, float* d) {
  const __mmask16 m = static_cast<__mmask16>((1u << len) - 1);
  for (int64_t p = 0; p < n; ++p) {
    const int64_t ih = info[3 * p + 1] + ih_off, iw = info[3 * p + 2] + iw_off;
    const bool in = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
    const __m512 v = in ? _mm512_maskz_loadu_ps(m, x + info[3 * p] + (ih * g.W + iw) * g.C + c0) : _mm512_setzero_ps();
    _mm512_mask_storeu_ps(d + p * MR, m, v);
  }
}
#pragma GCC diagnostic pop
#endif

}  // namespace

void gather_transpose(const float* const* src, int MR, int64_t len, float* out) {
#if defined(CONV_HAVE_AVX512)
  if (len >= 8 && MR <= 16 && cpu_has_avx512()) {
    gather_transpose_avx512(src, MR, len, out);
    return;
  }
#endif
  for (int r = 0; r < MR; ++r) {
    const float* s = src[r];
    if (s)
      for (int64_t c = 0; c < len; ++c) out[c * MR + r] = s[c];
    else
      for (int64_t c = 0; c < len; ++c) out[c * MR + r] = 0.f;
  }
}

namespace {

// Packs rows [i0, i0 + mc) (output pixels) x columns [p0, p0 + kc) of im2col(x) for the GEMM.
struct Im2colPackA : PackA {
  const float* x;
  ConvGeom g;
  Im2colPackA(const float* x_, const ConvGeom& g_) : x(x_), g(g_) {}
  void pack(int64_t i0, int64_t mc, int64_t p0, int64_t kc, int MR, float* dst) const override {
    int64_t base[kMaxMR], ih0[kMaxMR], iw0[kMaxMR];
    const float* src[kMaxMR];
    for (int64_t ip = 0; ip < mc; ip += MR) {
      const int rows = static_cast<int>(std::min<int64_t>(MR, mc - ip));
      for (int r = 0; r < rows; ++r) {
        const int64_t i = i0 + ip + r, ow = i % g.OW, t = i / g.OW, oh = t % g.OH, b = t / g.OH;
        base[r] = b * g.H * g.W * g.C;
        ih0[r] = oh * g.sh - g.pt;
        iw0[r] = ow * g.sw - g.pl;
      }
      float* d = dst + ip * kc;
      for (int64_t k = p0, kend = p0 + kc; k < kend;) {
        const int64_t tap = k / g.C, c0 = k - tap * g.C, len = std::min(g.C - c0, kend - k);
        const int64_t ih_off = (tap / g.FW) * g.dh, iw_off = (tap % g.FW) * g.dw;
        for (int r = 0; r < MR; ++r) {
          src[r] = nullptr;
          if (r >= rows) continue;
          const int64_t ih = ih0[r] + ih_off, iw = iw0[r] + iw_off;
          if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) src[r] = x + base[r] + (ih * g.W + iw) * g.C + c0;
        }
        gather_transpose(src, MR, len, d + (k - p0) * MR);
        k += len;
      }
    }
  }
};

// Packs rows [k0, k0 + mc) (im2col columns) x pixels [pix0 + p0, pix0 + p0 + kc) of im2col(x)^T:
// for each pixel the rows of a panel are runs of consecutive channels of one tap.
struct Im2colTPackA : PackA {
  const float* x;
  ConvGeom g;
  int64_t pix0;
  Im2colTPackA(const float* x_, const ConvGeom& g_, int64_t pix0_) : x(x_), g(g_), pix0(pix0_) {}
  void pack(int64_t k0, int64_t mc, int64_t p0, int64_t kc, int MR, float* dst) const override {
    constexpr int64_t kChunk = 256;
    int64_t info[3 * kChunk];  // per pixel: offset of its image, input corner (row, column)
#if defined(CONV_HAVE_AVX512)
    const bool avx512 = MR <= 16 && cpu_has_avx512();
#endif
    for (int64_t q0 = 0; q0 < kc; q0 += kChunk) {
      const int64_t n = std::min(kChunk, kc - q0);
      for (int64_t p = 0; p < n; ++p) {
        const int64_t i = pix0 + p0 + q0 + p, ow = i % g.OW, t = i / g.OW, oh = t % g.OH, b = t / g.OH;
        info[3 * p] = b * g.H * g.W * g.C;
        info[3 * p + 1] = oh * g.sh - g.pt;
        info[3 * p + 2] = ow * g.sw - g.pl;
      }
      for (int64_t ip = 0; ip < mc; ip += MR) {
        const int64_t rows = std::min<int64_t>(MR, mc - ip);
        float* d = dst + ip * kc + q0 * MR;
        if (rows < MR) std::memset(d, 0, sizeof(float) * MR * n);
        for (int64_t r0 = 0; r0 < rows;) {
          const int64_t k = k0 + ip + r0, tap = k / g.C, c0 = k - tap * g.C, len = std::min(g.C - c0, rows - r0);
          const int64_t ih_off = (tap / g.FW) * g.dh, iw_off = (tap % g.FW) * g.dw;
#if defined(CONV_HAVE_AVX512)
          if (avx512) {
            copy_run_avx512(x, g, info, n, ih_off, iw_off, c0, len, MR, d + r0);
            r0 += len;
            continue;
          }
#endif
          for (int64_t p = 0; p < n; ++p) {
            const int64_t ih = info[3 * p + 1] + ih_off, iw = info[3 * p + 2] + iw_off;
            float* o = d + p * MR + r0;
            if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) {
              const float* s = x + info[3 * p] + (ih * g.W + iw) * g.C + c0;
              for (int64_t c = 0; c < len; ++c) o[c] = s[c];
            } else {
              for (int64_t c = 0; c < len; ++c) o[c] = 0.f;
            }
          }
          r0 += len;
        }
      }
    }
  }
};

bool is_plain_gemm(const ConvGeom& g) {
  return g.FH == 1 && g.FW == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.OH == g.H && g.OW == g.W;
}

// y[B, OH, OW, O] = epi(conv(x, w)); w is [FH, FW, C, O].
void conv_forward(const float* x, const float* w, float* y, const ConvGeom& g, const Epilogue& epi) {
  const int64_t M = g.B * g.OH * g.OW, K = g.FH * g.FW * g.C;
  if (M == 0 || g.O == 0) return;
  if (is_plain_gemm(g)) {
    sgemm_strided(M, g.O, K, Strided{x, g.C, 1}, Strided{w, g.O, 1}, y, g.O, false, epi);
    return;
  }
  if (winograd_applies(g)) {
    winograd_conv3x3(x, w, y, g, epi);
    return;
  }
  Im2colPackA pa(x, g);
  StridedPackB pb(Strided{w, g.O, 1});
  gemm(M, g.O, K, pa, pb, y, g.O, false, epi);
}

// dw[FH, FW, C, O] = im2col(x)^T x dy; the pixels are split over the threads when there are many.
void conv_backprop_filter(const float* x, const float* dy, float* dw, const ConvGeom& g) {
  const int64_t M = g.B * g.OH * g.OW, K = g.FH * g.FW * g.C, O = g.O;
  if (K == 0 || O == 0) return;
  if (M == 0) {
    std::fill(dw, dw + K * O, 0.f);
    return;
  }
  if (winograd_filter_applies(g)) {
    winograd_backprop_filter_3x3(x, dy, dw, g);
    return;
  }
  const int T = num_threads();
  const double flops = 2.0 * M * K * O;
  int64_t parts = std::min<int64_t>(T, M / 256);
  if (flops < 4e6) parts = 1;
  if (parts <= 1) {
    if (is_plain_gemm(g)) {
      sgemm_strided(K, O, M, Strided{x, 1, g.C}, Strided{dy, O, 1}, dw, O, false, Epilogue{}, flops >= 4e6);
      return;
    }
    Im2colTPackA pa(x, g, 0);
    StridedPackB pb(Strided{dy, O, 1});
    gemm(K, O, M, pa, pb, dw, O, false, Epilogue{}, flops >= 4e6);
    return;
  }
  std::unique_ptr<float[]> partial(new float[static_cast<size_t>((parts - 1) * K * O)]);
  parallel_for(parts, [&](int64_t p, int) {
    const int64_t m0 = M * p / parts, m1 = M * (p + 1) / parts;
    float* out = p == 0 ? dw : partial.get() + (p - 1) * K * O;
    StridedPackB pb(Strided{dy + m0 * O, O, 1});
    if (is_plain_gemm(g)) {
      StridedPackA pa(Strided{x + m0 * g.C, 1, g.C});
      gemm(K, O, m1 - m0, pa, pb, out, O, false, Epilogue{}, false);
    } else {
      Im2colTPackA pa(x, g, m0);
      gemm(K, O, m1 - m0, pa, pb, out, O, false, Epilogue{}, false);
    }
  });
  const int64_t n = K * O;
  parallel_range(n, 1 << 15, [&](int64_t b, int64_t e, int) {
    for (int64_t p = 1; p < parts; ++p) {
      const float* s = partial.get() + (p - 1) * n;
      for (int64_t j = b; j < e; ++j) dw[j] += s[j];
    }
  });
}

// Scatter-adds dcol rows of the output pixels [pix0, pix0 + npix) of image b into dx.
void col2im(const float* dcol, int64_t b, int64_t pix0, int64_t npix, const ConvGeom& g, float* dx) {
  const int64_t K = g.FH * g.FW * g.C;
  float* dximg = dx + b * g.H * g.W * g.C;
  for (int64_t p = 0; p < npix; ++p) {
    const int64_t i = pix0 + p, oh = i / g.OW, ow = i % g.OW;
    const float* src = dcol + p * K;
    for (int64_t fh = 0; fh < g.FH; ++fh) {
      const int64_t ih = oh * g.sh - g.pt + fh * g.dh;
      if (ih < 0 || ih >= g.H) continue;
      for (int64_t fw = 0; fw < g.FW; ++fw) {
        const int64_t iw = ow * g.sw - g.pl + fw * g.dw;
        if (iw < 0 || iw >= g.W) continue;
        const float* s = src + (fh * g.FW + fw) * g.C;
        float* d = dximg + (ih * g.W + iw) * g.C;
        for (int64_t c = 0; c < g.C; ++c) d[c] += s[c];
      }
    }
  }
}

// dx[B, H, W, C] from dy[B, OH, OW, O] and w[FH, FW, C, O].
void conv_backprop_input(const float* dy, const float* w, float* dx, const ConvGeom& g) {
  const int64_t K = g.FH * g.FW * g.C, O = g.O, npix = g.OH * g.OW;
  if (g.B * g.H * g.W * g.C == 0) return;
  // Stride 1: the transposed convolution is a forward one over dy, with the filter rotated by 180
  // degrees and transposed, wr[fh', fw', o, c] = w[FH-1-fh', FW-1-fw', c, o]. Taken when that is a
  // plain GEMM (1x1) or goes through Winograd; otherwise its GEMM has only N = C columns and
  // col2im (N = FH*FW*C) measures faster.
  ConvGeom t;
  t.B = g.B; t.H = g.OH; t.W = g.OW; t.C = O;
  t.OH = g.H; t.OW = g.W; t.O = g.C;
  t.FH = g.FH; t.FW = g.FW; t.sh = 1; t.sw = 1; t.dh = g.dh; t.dw = g.dw;
  t.pt = (g.FH - 1) * g.dh - g.pt;
  t.pl = (g.FW - 1) * g.dw - g.pl;
  if (g.sh == 1 && g.sw == 1 && (is_plain_gemm(t) || winograd_applies(t))) {
    std::unique_ptr<float[]> wr(new float[static_cast<size_t>(K * O)]);
    for (int64_t fh = 0; fh < g.FH; ++fh)
      for (int64_t fw = 0; fw < g.FW; ++fw) {
        const float* s = w + ((g.FH - 1 - fh) * g.FW + (g.FW - 1 - fw)) * g.C * O;
        float* d = wr.get() + (fh * g.FW + fw) * O * g.C;
        for (int64_t c = 0; c < g.C; ++c)
          for (int64_t o = 0; o < O; ++o) d[o * g.C + c] = s[c * O + o];
      }
    conv_forward(dy, wr.get(), dx, t, Epilogue{});
    return;
  }
  std::fill(dx, dx + g.B * g.H * g.W * g.C, 0.f);
  if (K == 0 || npix == 0) return;
  // wt[O, K] = w^T, so that the GEMM reads both operands with unit column stride.
  std::unique_ptr<float[]> wt(new float[static_cast<size_t>(K * O)]);
  for (int64_t k = 0; k < K; ++k)
    for (int64_t o = 0; o < O; ++o) wt[o * K + k] = w[k * O + o];
  // Blocks of whole output rows, about 1 MB of dcol each.
  const int64_t rows = std::max<int64_t>(1, std::min<int64_t>(g.OH, (1 << 18) / std::max<int64_t>(1, g.OW * K)));
  const int64_t pixb = rows * g.OW;
  const int T = num_threads();
  auto image = [&](int64_t b, bool parallel) {
    thread_local std::vector<float> dcol;
    dcol.resize(static_cast<size_t>(pixb * K));
    for (int64_t p0 = 0; p0 < npix; p0 += pixb) {
      const int64_t n = std::min(pixb, npix - p0);
      sgemm_strided(n, K, O, Strided{dy + (b * npix + p0) * O, O, 1}, Strided{wt.get(), K, 1}, dcol.data(), K, false,
                    Epilogue{}, parallel);
      col2im(dcol.data(), b, p0, n, g, dx);
    }
  };
  if (g.B >= T && T > 1) {
    parallel_for(g.B, [&](int64_t b, int) { image(b, false); });
  } else {
    for (int64_t b = 0; b < g.B; ++b) image(b, true);
  }
}

// ---- N-API bindings ----

// conv2d(x, w, y, geom, bias|null, act, alpha, prelu|null)
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  const ConvGeom g = read_geom(info[3]);
  Epilogue epi;
  epi.bias = f32_or_null(info[4]);
  epi.act = static_cast<Act>(num(info[5]));
  epi.alpha = static_cast<float>(dbl(info[6]));
  epi.prelu = f32_or_null(info[7]);
  conv_forward(f32(info[0]), f32(info[1]), f32(info[2]), g, epi);
  return info.Env().Undefined();
}

// conv2dBackpropInput(dy, w, dx, geom)
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  conv_backprop_input(f32(info[0]), f32(info[1]), f32(info[2]), read_geom(info[3]));
  return info.Env().Undefined();
}

// conv2dBackpropFilter(x, dy, dw, geom)
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  conv_backprop_filter(f32(info[0]), f32(info[1]), f32(info[2]), read_geom(info[3]));
  return info.Env().Undefined();
}

}  // namespace

void init_conv(Napi::Env, Napi::Object exports) {
  CONTRASTIVE_EXPORT(exports, "conv2d", Conv2D);
  CONTRASTIVE_EXPORT(exports, "conv2dBackpropInput", Conv2DBackpropInput);
  CONTRASTIVE_EXPORT(exports, "conv2dBackpropFilter", Conv2DBackpropFilter);
}

}  // namespace contrastive
