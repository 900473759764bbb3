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
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "conv.h"
#include "thread_pool.h"

#if defined(CONTRASTIVE_X64) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define CONTRASTIVE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CONTRASTIVE_CLONES
#endif

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
  return Buffer(static_cast<float*>(std::aligned_alloc(64, bytes == 0 ? 64 : bytes)));
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
  for (int64_t c = 0; c < C; ++c) {
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
}

// V = B^T D B for each of the n columns of the [36][n] arrays D and V.
CONTRASTIVE_CLONES
void input_transform(const float* __restrict D, float* __restrict V, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    float t[6][6];
#pragma GCC unroll 6
    for (int b = 0; b < 6; ++b) {  // columns: t = B^T d
      const float d0 = D[(0 + b) * n + i], d1 = D[(6 + b) * n + i], d2 = D[(12 + b) * n + i];
      const float d3 = D[(18 + b) * n + i], d4 = D[(24 + b) * n + i], d5 = D[(30 + b) * n + i];
      t[0][b] = 4.f * d0 - 5.f * d2 + d4;
      t[1][b] = -4.f * (d1 + d2) + d3 + d4;
      t[2][b] = 4.f * (d1 - d2) - d3 + d4;
      t[3][b] = 2.f * (d3 - d1) - d2 + d4;
      t[4][b] = 2.f * (d1 - d3) - d2 + d4;
      t[5][b] = 4.f * d1 - 5.f * d3 + d5;
    }
#pragma GCC unroll 6
    for (int a = 0; a < 6; ++a) {  // rows: v = t B
      const float d0 = t[a][0], d1 = t[a][1], d2 = t[a][2], d3 = t[a][3], d4 = t[a][4], d5 = t[a][5];
      float* v = V + a * 6 * n + i;
      v[0 * n] = 4.f * d0 - 5.f * d2 + d4;
      v[1 * n] = -4.f * (d1 + d2) + d3 + d4;
      v[2 * n] = 4.f * (d1 - d2) - d3 + d4;
      v[3 * n] = 2.f * (d3 - d1) - d2 + d4;
      v[4 * n] = 2.f * (d1 - d3) - d2 + d4;
      v[5 * n] = 4.f * d1 - 5.f * d3 + d5;
    }
  }
}

// T[16][O] = A^T m A for one tile, m[xi][o] at M[xi * stride + o].
CONTRASTIVE_CLONES
void output_transform(const float* __restrict M, int64_t stride, int64_t O, float* __restrict T) {
  for (int64_t o = 0; o < O; ++o) {
    float t[4][6];
#pragma GCC unroll 6
    for (int b = 0; b < 6; ++b) {  // columns: t = A^T m
      const float m0 = M[(0 + b) * stride + o], m1 = M[(6 + b) * stride + o], m2 = M[(12 + b) * stride + o];
      const float m3 = M[(18 + b) * stride + o], m4 = M[(24 + b) * stride + o], m5 = M[(30 + b) * stride + o];
      const float s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
      t[0][b] = m0 + s12 + s34;
      t[1][b] = d12 + 2.f * d34;
      t[2][b] = s12 + 4.f * s34;
      t[3][b] = d12 + 8.f * d34 + m5;
    }
#pragma GCC unroll 4
    for (int a = 0; a < 4; ++a) {  // rows: y = t A
      const float m0 = t[a][0], m1 = t[a][1], m2 = t[a][2], m3 = t[a][3], m4 = t[a][4], m5 = t[a][5];
      const float s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
      float* y = T + a * 4 * O + o;
      y[0 * O] = m0 + s12 + s34;
      y[1 * O] = d12 + 2.f * d34;
      y[2 * O] = s12 + 4.f * s34;
      y[3 * O] = d12 + 8.f * d34 + m5;
    }
  }
}

}  // namespace

bool winograd_applies(const ConvGeom& g) {
  // Below ~16 channels on either side the transforms cost more than the multiplications saved.
  return g.FH == 3 && g.FW == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.C >= 16 && g.O >= 16 &&
         g.OH >= 2 && g.OW >= 2 && active_kernel().MR <= 16;
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
      output_transform(M + r * ldc, MR * ldc, O, T);
      const int64_t t = t0 + r, tx = t % tw, ty = (t / tw) % th, b = t / (tw * th);
      const int64_t nh = std::min<int64_t>(4, g.OH - ty * 4), nw = std::min<int64_t>(4, g.OW - tx * 4);
      for (int64_t i = 0; i < nh; ++i) {
        float* dst = y + ((b * g.OH + ty * 4 + i) * g.OW + tx * 4) * O;
        std::memcpy(dst, T + i * 4 * O, sizeof(float) * nw * O);
        apply_epilogue(nw, O, dst, O, epi);
      }
    }
  });
}

}  // namespace contrastive
