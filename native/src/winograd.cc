// Winograd F(4x4, 3x3) convolution, NHWC, stride 1, dilation 1 (Lavin & Gray 2015): each 4x4
// output tile comes from a 6x6 input tile as
//   Y = A^T [ (G w G^T) (.) (B^T d B) ] A,
// with 36 multiplications per (tile, input channel, output channel) instead of 144. Per transform
// point xi (36 of them) the products are a GEMM  M[xi][tiles, O] = V[xi][tiles, C] x U[xi][C, O].
//
// Work unit: a panel of MR tiles (MR: the GEMM micro-kernel's rows). For a panel:
//   1. gather the 36 input positions of its tiles, transposed: D[36][C][MR] (the GEMM's packed-A layout)
//   2. input transform on those flat arrays: V[36][C][MR] (B^T d B, vectorized over C*MR)
//   3. per xi, the micro-kernel against the pre-packed transformed filter Up[xi]: M[xi][MR][O]
//   4. output transform per tile (A^T m A, vectorized over O), epilogue, store the valid pixels.
// Panels are independent and spread over the threads. Everything but Up stays in L2.
//
// Filter gradient, by the transposition principle the same algorithm as F(3x3, 4x4): with dy
// tiles u (4x4) and the input patches d (6x6) at the same places,
//   dW = G^T [ sum over tiles of (A u A^T) (.) (B^T d B) ] G,
// and per xi the sum is a GEMM  S[xi][C, O] = X[xi][tiles, C]^T x DY[xi][tiles, O]. Both transforms
// are vectorized over channels (NHWC rows); tiles are split over the threads, each with its own S.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "conv.h"
#include "thread_pool.h"
#include "vmath.h"  // CONTRASTIVE_CLONES


namespace contrastive {
namespace {

constexpr int64_t kXi = 36;     // 6 x 6 transform points
constexpr int64_t kBlockK = 256;  // input channels per micro-kernel call (the GEMM's KC)

struct AlignedFree {
  void operator()(float* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<float[], AlignedFree>;
Buffer aligned_floats(size_t n) {
  const size_t bytes = ((n * sizeof(float) + 63) / 64) * 64;
  float* p = static_cast<float*>(std::aligned_alloc(64, bytes == 0 ? 64 : bytes));
  if (!p) {
    std::fprintf(stderr, "contrastive: out of memory allocating %zu bytes of Winograd buffers\n", bytes);
    std::abort();
  }
  return Buffer(p);
}

// Per-thread scratch, grown on demand.
struct Scratch {
  Buffer buf;
  size_t cap = 0;
  float* get(size_t n) {
    if (n > cap) {
      buf = aligned_floats(n);
      cap = n;
    }
    return buf.get();
  }
};
thread_local Scratch tl_d, tl_v, tl_m, tl_t;

// Filter transform U = G w G^T per (c, o), packed for the micro-kernel as Up[xi][jp][c][NR]
// (column panels of NR output channels, zero-padded). w is [3, 3, C, O].
void transform_filter(const float* w, int64_t C, int64_t O, int NR, float* Up) {
  const int64_t npan = (O + NR - 1) / NR, xi_stride = npan * NR * C;
  std::memset(Up, 0, sizeof(float) * kXi * xi_stride);
  parallel_range(C, std::max<int64_t>(1, 4096 / O), [&](int64_t c0, int64_t c1, int) {
    for (int64_t c = c0; c < c1; ++c) {
      for (int64_t o = 0; o < O; ++o) {
        float g[3][3];
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j) g[i][j] = w[((i * 3 + j) * C + c) * O + o];
        float t[6][3];  // G g
        for (int j = 0; j < 3; ++j) {
          const float g0 = g[0][j], g1 = g[1][j], g2 = g[2][j];
          t[0][j] = g0 / 4.f;
          t[1][j] = -(g0 + g1 + g2) / 6.f;
          t[2][j] = -(g0 - g1 + g2) / 6.f;
          t[3][j] = g0 / 24.f + g1 / 12.f + g2 / 6.f;
          t[4][j] = g0 / 24.f - g1 / 12.f + g2 / 6.f;
          t[5][j] = g2;
        }
        float* dst = Up + (o / NR) * NR * C + c * NR + (o % NR);
        for (int i = 0; i < 6; ++i) {  // (G g) G^T
          const float g0 = t[i][0], g1 = t[i][1], g2 = t[i][2];
          const float u[6] = {g0 / 4.f, -(g0 + g1 + g2) / 6.f, -(g0 - g1 + g2) / 6.f,
                              g0 / 24.f + g1 / 12.f + g2 / 6.f, g0 / 24.f - g1 / 12.f + g2 / 6.f, g2};
          for (int j = 0; j < 6; ++j) dst[(i * 6 + j) * xi_stride] = u[j];
        }
      }
    }
  });
}

// 16 floats, unaligned; each target clone lowers it to its widest vectors (zmm, 2 ymm, 4 xmm).
// The helpers taking or returning it are always inlined into the clones, so the ABI note that GCC
// gives for them (-Wpsabi) does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float v16 __attribute__((vector_size(64)));

// Unaligned loads and stores of a float or a v16 (memcpy compiles to one unaligned move).
template <typename T>
[[gnu::always_inline]] inline T load(const float* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T>
[[gnu::always_inline]] inline void store(float* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

// The 6-point transforms, on floats or on v16 columns.
template <typename T>
[[gnu::always_inline]] inline void bt6(T d0, T d1, T d2, T d3, T d4, T d5, T* o) {  // B^T d
  o[0] = 4.f * d0 - 5.f * d2 + d4;
  o[1] = -4.f * (d1 + d2) + d3 + d4;
  o[2] = 4.f * (d1 - d2) - d3 + d4;
  o[3] = 2.f * (d3 - d1) - d2 + d4;
  o[4] = 2.f * (d1 - d3) - d2 + d4;
  o[5] = 4.f * d1 - 5.f * d3 + d5;
}
template <typename T>
[[gnu::always_inline]] inline void at6(T m0, T m1, T m2, T m3, T m4, T m5, T* o) {  // A^T m
  const T s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
  o[0] = m0 + s12 + s34;
  o[1] = d12 + 2.f * d34;
  o[2] = s12 + 4.f * s34;
  o[3] = d12 + 8.f * d34 + m5;
}

// V = B^T D B for the column i of the [36][n] arrays (T = float: one column; v16: 16 of them).
template <typename T>
[[gnu::always_inline]] inline void input_tile(const float* __restrict D, float* __restrict V, int64_t n, int64_t i) {
  auto ld = [&](int k) [[gnu::always_inline]] { return load<T>(D + k * n + i); };
  T t[6][6];
  for (int b = 0; b < 6; ++b) {
    T o[6];
    bt6<T>(ld(b), ld(6 + b), ld(12 + b), ld(18 + b), ld(24 + b), ld(30 + b), o);
    for (int a = 0; a < 6; ++a) t[a][b] = o[a];
  }
  for (int a = 0; a < 6; ++a) {
    T o[6];
    bt6<T>(t[a][0], t[a][1], t[a][2], t[a][3], t[a][4], t[a][5], o);
    for (int b = 0; b < 6; ++b) store<T>(V + (a * 6 + b) * n + i, o[b]);
  }
}

CONTRASTIVE_CLONES
void input_transform(const float* __restrict D, float* __restrict V, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) input_tile<v16>(D, V, n, i);
  for (; i < n; ++i) input_tile<float>(D, V, n, i);
}

// Output channel o of one tile: Y = A^T m A, m[xi] at M[xi * stride + o], y[a][b] at
// Y[a * row + b * O + o].
template <typename T>
[[gnu::always_inline]] inline void output_tile(const float* __restrict M, int64_t stride, int64_t O, float* __restrict Y, int64_t row,
                        int64_t o) {
  auto ld = [&](int k) [[gnu::always_inline]] { return load<T>(M + k * stride + o); };
  T t[4][6];
  for (int b = 0; b < 6; ++b) {
    T r[4];
    at6<T>(ld(b), ld(6 + b), ld(12 + b), ld(18 + b), ld(24 + b), ld(30 + b), r);
    for (int a = 0; a < 4; ++a) t[a][b] = r[a];
  }
  for (int a = 0; a < 4; ++a) {
    T r[4];
    at6<T>(t[a][0], t[a][1], t[a][2], t[a][3], t[a][4], t[a][5], r);
    for (int b = 0; b < 4; ++b) store<T>(Y + a * row + b * O + o, r[b]);
  }
}

// The 4x4 outputs of one tile, all O channels: pixel (a, b) at Y + a * row + b * O.
CONTRASTIVE_CLONES
void output_transform(const float* __restrict M, int64_t stride, int64_t O, float* __restrict Y, int64_t row) {
  int64_t o = 0;
  for (; o + 16 <= O; o += 16) output_tile<v16>(M, stride, O, Y, row, o);
  for (; o < O; ++o) output_tile<float>(M, stride, O, Y, row, o);
}

// B^T d B over channels [c, c + width of T) of one input patch: d[k] at src[k] + c (nullptr: zeros),
// result xi at out[xi * xi_stride + c].
template <typename T>
[[gnu::always_inline]] inline void patch_tile(const float* const* src, int64_t c, float* __restrict out,
                                              int64_t xi_stride) {
  auto ld = [&](int k) [[gnu::always_inline]] { return src[k] ? load<T>(src[k] + c) : T{}; };
  T t[6][6];
  for (int b = 0; b < 6; ++b) {
    T o[6];
    bt6<T>(ld(b), ld(6 + b), ld(12 + b), ld(18 + b), ld(24 + b), ld(30 + b), o);
    for (int a = 0; a < 6; ++a) t[a][b] = o[a];
  }
  for (int a = 0; a < 6; ++a) {
    T o[6];
    bt6<T>(t[a][0], t[a][1], t[a][2], t[a][3], t[a][4], t[a][5], o);
    for (int b = 0; b < 6; ++b) store<T>(out + (a * 6 + b) * xi_stride + c, o[b]);
  }
}

CONTRASTIVE_CLONES
void patch_transform(const float* const* src, int64_t C, float* __restrict out, int64_t xi_stride) {
  int64_t c = 0;
  for (; c + 16 <= C; c += 16) patch_tile<v16>(src, c, out, xi_stride);
  for (; c < C; ++c) patch_tile<float>(src, c, out, xi_stride);
}

template <typename T>
[[gnu::always_inline]] inline void a6(T v0, T v1, T v2, T v3, T* o) {  // A v (6 from 4)
  o[0] = v0;
  o[1] = v0 + v1 + v2 + v3;
  o[2] = v0 - v1 + v2 - v3;
  o[3] = v0 + 2.f * v1 + 4.f * v2 + 8.f * v3;
  o[4] = v0 - 2.f * v1 + 4.f * v2 - 8.f * v3;
  o[5] = v3;
}

// A u A^T over channels [o, o + width of T) of one dy tile: u[k] at src[k] + o (nullptr: zeros).
template <typename T>
[[gnu::always_inline]] inline void dy_tile(const float* const* src, int64_t o, float* __restrict out,
                                           int64_t xi_stride) {
  auto ld = [&](int k) [[gnu::always_inline]] { return src[k] ? load<T>(src[k] + o) : T{}; };
  T t[6][4];
  for (int j = 0; j < 4; ++j) {
    T r[6];
    a6<T>(ld(j), ld(4 + j), ld(8 + j), ld(12 + j), r);
    for (int a = 0; a < 6; ++a) t[a][j] = r[a];
  }
  for (int a = 0; a < 6; ++a) {
    T r[6];
    a6<T>(t[a][0], t[a][1], t[a][2], t[a][3], r);
    for (int b = 0; b < 6; ++b) store<T>(out + (a * 6 + b) * xi_stride + o, r[b]);
  }
}

CONTRASTIVE_CLONES
void dy_transform(const float* const* src, int64_t O, float* __restrict out, int64_t xi_stride) {
  int64_t o = 0;
  for (; o + 16 <= O; o += 16) dy_tile<v16>(src, o, out, xi_stride);
  for (; o < O; ++o) dy_tile<float>(src, o, out, xi_stride);
}

template <typename T>
[[gnu::always_inline]] inline void gt3(T s0, T s1, T s2, T s3, T s4, T s5, T* z) {  // G^T s (3 from 6)
  const T s12 = s1 + s2, s34 = s3 + s4;
  z[0] = 0.25f * s0 - s12 * (1.f / 6.f) + s34 * (1.f / 24.f);
  z[1] = (s2 - s1) * (1.f / 6.f) + (s3 - s4) * (1.f / 12.f);
  z[2] = (s34 - s12) * (1.f / 6.f) + s5;
}

// dw[k][l] (at dw + (k * 3 + l) * tap_stride + o) = (G^T S G)[k][l], S[xi] at S + xi * xi_stride + o.
template <typename T>
[[gnu::always_inline]] inline void filter_grad_tile(const float* __restrict S, int64_t xi_stride, float* __restrict dw,
                                                    int64_t tap_stride, int64_t o) {
  auto ld = [&](int k) [[gnu::always_inline]] { return load<T>(S + k * xi_stride + o); };
  T t[3][6];
  for (int b = 0; b < 6; ++b) {
    T z[3];
    gt3<T>(ld(b), ld(6 + b), ld(12 + b), ld(18 + b), ld(24 + b), ld(30 + b), z);
    for (int k = 0; k < 3; ++k) t[k][b] = z[k];
  }
  for (int k = 0; k < 3; ++k) {
    T z[3];
    gt3<T>(t[k][0], t[k][1], t[k][2], t[k][3], t[k][4], t[k][5], z);
    for (int l = 0; l < 3; ++l) store<T>(dw + (k * 3 + l) * tap_stride + o, z[l]);
  }
}

CONTRASTIVE_CLONES
void filter_grad_transform(const float* __restrict S, int64_t xi_stride, int64_t O, float* __restrict dw,
                           int64_t tap_stride) {
  int64_t o = 0;
  for (; o + 16 <= O; o += 16) filter_grad_tile<v16>(S, xi_stride, dw, tap_stride, o);
  for (; o < O; ++o) filter_grad_tile<float>(S, xi_stride, dw, tap_stride, o);
}

}  // namespace

namespace {
int64_t num_tiles(const ConvGeom& g) { return g.B * ((g.OH + 3) / 4) * ((g.OW + 3) / 4); }
// CONTRASTIVE_WINOGRAD=0 turns Winograd off (plain implicit GEMM: ~10x smaller float32 error).
bool winograd_enabled() {
  static const bool on = [] {
    const char* e = std::getenv("CONTRASTIVE_WINOGRAD");
    return !(e && e[0] == '0');
  }();
  return on;
}
bool winograd_shape(const ConvGeom& g) {
  // Below ~16 channels on either side the transforms cost more than the multiplications saved.
  return winograd_enabled() && g.FH == 3 && g.FW == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.C >= 16 && g.O >= 16 &&
         g.OH >= 2 && g.OW >= 2;
}
}  // namespace

bool winograd_applies(const ConvGeom& g) {
  // Enough panels of tiles for every thread (with few tiles the filter transform dominates too).
  const int64_t MR = active_kernel().MR;
  // A fixed threshold, not one per thread: whether Winograd runs (and so how infinities
  // propagate: an Inf input turns its whole 4x4 output tile to NaN) must not depend on the
  // thread count.
  return winograd_shape(g) && MR <= 16 && num_tiles(g) >= 4 * MR;
}

void winograd_conv3x3(const float* x, const float* w, float* y, const ConvGeom& g, const Epilogue& epi) {
  const KernelInfo& kr = active_kernel();
  const int MR = kr.MR, NR = kr.NR;
  const int64_t C = g.C, O = g.O, npan = (O + NR - 1) / NR, ldc = npan * NR;
  const int64_t up_xi = npan * NR * C;  // floats of Up per transform point
  Buffer Up = aligned_floats(static_cast<size_t>(kXi * up_xi));
  transform_filter(w, C, O, NR, Up.get());

  const int64_t th = (g.OH + 3) / 4, tw = (g.OW + 3) / 4, ntiles = g.B * th * tw;
  const int64_t npanels = (ntiles + MR - 1) / MR;
  const int64_t plane = C * MR;  // floats of one transform point of D and V
  parallel_for(npanels, [&](int64_t p, int) {
    float* D = tl_d.get(static_cast<size_t>(kXi * plane));
    float* V = tl_v.get(static_cast<size_t>(kXi * plane));
    float* M = tl_m.get(static_cast<size_t>(kXi * MR * ldc));
    float* T = tl_t.get(static_cast<size_t>(16 * O));
    const int64_t t0 = p * MR, rows = std::min<int64_t>(MR, ntiles - t0);
    int64_t base[16], ih0[16], iw0[16];
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t t = t0 + r, tx = t % tw, ty = (t / tw) % th, b = t / (tw * th);
      base[r] = b * g.H * g.W * C;
      ih0[r] = ty * 4 - g.pt;
      iw0[r] = tx * 4 - g.pl;
    }
    // 1. Gather the 6x6 input tiles, transposed into [36][C][MR].
    const float* src[16];
    for (int a = 0; a < 6; ++a)
      for (int b = 0; b < 6; ++b) {
        for (int r = 0; r < MR; ++r) {
          src[r] = nullptr;
          if (r >= rows) continue;
          const int64_t ih = ih0[r] + a, iw = iw0[r] + b;
          if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) src[r] = x + base[r] + (ih * g.W + iw) * C;
        }
        gather_transpose(src, MR, C, D + (a * 6 + b) * plane);
      }
    // 2. Input transform.
    input_transform(D, V, plane);
    // 3. One small GEMM per transform point: M[xi][MR][ldc] = V[xi][tiles, C] x U[xi][C, O].
    for (int64_t xi = 0; xi < kXi; ++xi) {
      const float* a = V + xi * plane;
      float* m = M + xi * MR * ldc;
      for (int64_t jp = 0; jp < npan; ++jp) {
        const float* bp = Up.get() + xi * up_xi + jp * NR * C;
        for (int64_t k0 = 0; k0 < C; k0 += kBlockK) {
          const int64_t kc = std::min(kBlockK, C - k0);
          kr.fn(kc, a + k0 * MR, bp + k0 * NR, m + jp * NR, ldc, k0 > 0);
        }
      }
    }
    // 4. Output transform, epilogue, store the pixels inside the output.
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t t = t0 + r, tx = t % tw, ty = (t / tw) % th, b = t / (tw * th);
      const int64_t nh = std::min<int64_t>(4, g.OH - ty * 4), nw = std::min<int64_t>(4, g.OW - tx * 4);
      float* dst = y + ((b * g.OH + ty * 4) * g.OW + tx * 4) * O;
      if (nh == 4 && nw == 4) {
        output_transform(M + r * ldc, MR * ldc, O, dst, g.OW * O);
      } else {  // a tile across the bottom or right edge: through T
        output_transform(M + r * ldc, MR * ldc, O, T, 4 * O);
        for (int64_t i = 0; i < nh; ++i) std::memcpy(dst + i * g.OW * O, T + i * 4 * O, sizeof(float) * nw * O);
      }
      for (int64_t i = 0; i < nh; ++i) apply_epilogue(nw, O, dst + i * g.OW * O, O, epi);
    }
  });
}

}  // namespace contrastive

namespace contrastive {

bool winograd_filter_applies(const ConvGeom& g) {
  // The sums S take 36 * C * O floats per thread: up to 512 x 512 channels (38 MB).
  return winograd_shape(g) && num_tiles(g) >= 16 && g.C * g.O <= 512 * 512;
}

void winograd_backprop_filter_3x3(const float* x, const float* dy, float* dw, const ConvGeom& g) {
  const int64_t C = g.C, O = g.O, CO = C * O;
  const int64_t th = (g.OH + 3) / 4, tw = (g.OW + 3) / 4, ntiles = g.B * th * tw;
  constexpr int64_t KB = 64;  // tiles per block: the K of the per-xi GEMMs
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(num_threads(), ntiles / 64));
  // S[part][xi][C][O]: each part's sums in the transform domain.
  Buffer S = aligned_floats(static_cast<size_t>(parts * kXi * CO));
  std::memset(S.get(), 0, sizeof(float) * parts * kXi * CO);
  parallel_for(parts, [&](int64_t p, int) {
    // X[xi][tile][C] and DY[xi][tile][O]; the xi strides are padded by a cache line so that the 36
    // streams of a transform do not all map to the same L1 sets (KB * C is often a power of 2).
    const int64_t xs = KB * C + 16, ys = KB * O + 16;
    float* X = tl_d.get(static_cast<size_t>(kXi * xs));
    float* DY = tl_v.get(static_cast<size_t>(kXi * ys));
    float* Sp = S.get() + p * kXi * CO;
    const float* xp[36];
    const float* us[16];
    for (int64_t t0 = ntiles * p / parts, t1 = ntiles * (p + 1) / parts; t0 < t1; t0 += KB) {
      const int64_t kb = std::min(KB, t1 - t0);
      for (int64_t r = 0; r < kb; ++r) {
        const int64_t t = t0 + r, tx = t % tw, ty = (t / tw) % th, b = t / (tw * th);
        const int64_t ih0 = ty * 4 - g.pt, iw0 = tx * 4 - g.pl;
        for (int a = 0; a < 6; ++a)
          for (int c = 0; c < 6; ++c) {
            const int64_t ih = ih0 + a, iw = iw0 + c;
            const bool in = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
            xp[a * 6 + c] = in ? x + ((b * g.H + ih) * g.W + iw) * C : nullptr;
          }
        for (int a = 0; a < 4; ++a)
          for (int c = 0; c < 4; ++c) {
            const int64_t oh = ty * 4 + a, ow = tx * 4 + c;
            us[a * 4 + c] = oh < g.OH && ow < g.OW ? dy + ((b * g.OH + oh) * g.OW + ow) * O : nullptr;
          }
        patch_transform(xp, C, X + r * C, xs);
        dy_transform(us, O, DY + r * O, ys);
      }
      for (int64_t xi = 0; xi < kXi; ++xi) {
        StridedPackA pa(Strided{X + xi * xs, 1, C});  // X[xi]^T: [C, kb]
        StridedPackB pb(Strided{DY + xi * ys, O, 1});
        gemm(C, O, kb, pa, pb, Sp + xi * CO, O, true, Epilogue{}, false);
      }
    }
  });
  for (int64_t p = 1; p < parts; ++p) {
    const float* s = S.get() + p * kXi * CO;
    for (int64_t i = 0; i < kXi * CO; ++i) S[i] += s[i];
  }
  for (int64_t c = 0; c < C; ++c) filter_grad_transform(S.get() + c * O, CO, O, dw + c * O, CO);
}

}  // namespace contrastive
