// 2-D max and average pooling, NHWC, and their gradients (tfjs kernels MaxPool, AvgPool,
// MaxPoolGrad, AvgPoolGrad), with the cpu backend's semantics:
//   - a window is clipped to the image: padding never takes part (max ignores it, avg divides
//     by the number of pixels inside the image);
//   - max skips NaN (`v > m`), starts at -inf;
//   - MaxPoolGrad routes each dy to the first strict maximum of its window in row-major window
//     order (tfjs's maxPoolPositions); a window with no such element (all -inf/NaN) routes nothing;
//   - AvgPoolGrad scales by 1 / (filterH * filterW), whatever the number of pixels inside.
// Shapes: x/dx [B, H, W, C], y/dy [B, outH, outW, C]. Window of output (yr, yc) covers input rows
// [yr*sh - padTop, +fh) and columns [yc*sw - padLeft, +fw). Channels are the vectorized inner loop.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "napi_util.h"
#include "thread_pool.h"
#include "vmath.h"  // CONTRASTIVE_CLONES


namespace contrastive {
namespace {

struct PoolGeom {
  int64_t B, H, W, C, outH, outW, fh, fw, sh, sw, padTop, padLeft;
};

PoolGeom geom_from(const Napi::CallbackInfo& info, int first) {
  PoolGeom g;
  int64_t* f[] = {&g.B, &g.H, &g.W, &g.C, &g.outH, &g.outW, &g.fh, &g.fw, &g.sh, &g.sw, &g.padTop, &g.padLeft};
  for (int i = 0; i < 12; ++i) *f[i] = num(info[first + i]);
  return g;
}

// Rows [lo, hi) of the input covered by output row y along one axis.
inline void window(int64_t y, int64_t stride, int64_t pad, int64_t f, int64_t n, int64_t& lo, int64_t& hi) {
  const int64_t corner = y * stride - pad;
  lo = std::max<int64_t>(0, corner);
  hi = std::min<int64_t>(n, corner + f);
}

inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Smallest elements per task worth a thread.
constexpr int64_t kGrain = 16384;

// Output rows [r0, r1) of the flattened [B * outH] rows.
CONTRASTIVE_CLONES
void max_pool_rows(const float* __restrict x, float* __restrict y, const PoolGeom& g, int64_t r0, int64_t r1) {
  const int64_t C = g.C;
  const float ninf = -std::numeric_limits<float>::infinity();
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t b = r / g.outH, yr = r % g.outH;
    int64_t xr0, xr1;
    window(yr, g.sh, g.padTop, g.fh, g.H, xr0, xr1);
    const float* xb = x + b * g.H * g.W * C;
    for (int64_t yc = 0; yc < g.outW; ++yc) {
      int64_t xc0, xc1;
      window(yc, g.sw, g.padLeft, g.fw, g.W, xc0, xc1);
      float* __restrict o = y + (r * g.outW + yc) * C;
      for (int64_t c = 0; c < C; ++c) o[c] = ninf;
      for (int64_t xr = xr0; xr < xr1; ++xr) {
        for (int64_t xc = xc0; xc < xc1; ++xc) {
          const float* __restrict p = xb + (xr * g.W + xc) * C;
          for (int64_t c = 0; c < C; ++c) o[c] = p[c] > o[c] ? p[c] : o[c];
        }
      }
    }
  }
}

CONTRASTIVE_CLONES
void avg_pool_rows(const float* __restrict x, float* __restrict y, const PoolGeom& g, int64_t r0, int64_t r1) {
  const int64_t C = g.C;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t b = r / g.outH, yr = r % g.outH;
    int64_t xr0, xr1;
    window(yr, g.sh, g.padTop, g.fh, g.H, xr0, xr1);
    const float* xb = x + b * g.H * g.W * C;
    for (int64_t yc = 0; yc < g.outW; ++yc) {
      int64_t xc0, xc1;
      window(yc, g.sw, g.padLeft, g.fw, g.W, xc0, xc1);
      float* __restrict o = y + (r * g.outW + yc) * C;
      for (int64_t c = 0; c < C; ++c) o[c] = 0.f;
      for (int64_t xr = xr0; xr < xr1; ++xr) {
        for (int64_t xc = xc0; xc < xc1; ++xc) {
          const float* __restrict p = xb + (xr * g.W + xc) * C;
          for (int64_t c = 0; c < C; ++c) o[c] += p[c];
        }
      }
      // An empty window (only possible with explicit padding) gives 0 / 0 = NaN, as on cpu.
      const float count = static_cast<float>(std::max<int64_t>(0, xr1 - xr0) * std::max<int64_t>(0, xc1 - xc0));
      for (int64_t c = 0; c < C; ++c) o[c] = o[c] / count;
    }
  }
}

// dx of image b, channels [c0, c1) (at most kMaxChunk), scattered from every output window.
constexpr int64_t kMaxChunk = 256;

CONTRASTIVE_CLONES
void max_pool_grad_chunk(const float* __restrict x, const float* __restrict dy, float* __restrict dx, const PoolGeom& g,
                         int64_t b, int64_t c0, int64_t c1) {
  const int64_t C = g.C, n = c1 - c0;
  const float ninf = -std::numeric_limits<float>::infinity();
  float m[kMaxChunk];
  int32_t arg[kMaxChunk];
  const float* xb = x + b * g.H * g.W * C + c0;
  float* dxb = dx + b * g.H * g.W * C + c0;
  // Zero this task's part of dx here rather than all of dx up front: it is then still in cache
  // when the scatter below adds into it.
  if (n == C) {
    std::memset(dxb, 0, sizeof(float) * static_cast<size_t>(g.H * g.W * C));
  } else {
    for (int64_t px = 0; px < g.H * g.W; ++px) std::memset(dxb + px * C, 0, sizeof(float) * static_cast<size_t>(n));
  }
  for (int64_t yr = 0; yr < g.outH; ++yr) {
    int64_t xr0, xr1;
    window(yr, g.sh, g.padTop, g.fh, g.H, xr0, xr1);
    for (int64_t yc = 0; yc < g.outW; ++yc) {
      int64_t xc0, xc1;
      window(yc, g.sw, g.padLeft, g.fw, g.W, xc0, xc1);
      const float* __restrict d = dy + ((b * g.outH + yr) * g.outW + yc) * C + c0;
      for (int64_t c = 0; c < n; ++c) { m[c] = ninf; arg[c] = -1; }
      // Window positions are numbered in row-major order; the first strict maximum wins.
      int32_t k = 0;
      for (int64_t xr = xr0; xr < xr1; ++xr) {
        for (int64_t xc = xc0; xc < xc1; ++xc, ++k) {
          const float* __restrict p = xb + (xr * g.W + xc) * C;
          for (int64_t c = 0; c < n; ++c) {
            const bool gt = p[c] > m[c];
            m[c] = gt ? p[c] : m[c];
            arg[c] = gt ? k : arg[c];
          }
        }
      }
      k = 0;
      for (int64_t xr = xr0; xr < xr1; ++xr) {
        for (int64_t xc = xc0; xc < xc1; ++xc, ++k) {
          float* __restrict q = dxb + (xr * g.W + xc) * C;
          for (int64_t c = 0; c < n; ++c) q[c] += arg[c] == k ? d[c] : 0.f;
        }
      }
    }
  }
}

// Input rows [r0, r1) of the flattened [B * H] rows; each dx pixel gathers the dy of the windows
// that cover it (in the cpu kernel's order: output row, then output column, ascending).
CONTRASTIVE_CLONES
void avg_pool_grad_rows(const float* __restrict dy, float* __restrict dx, const PoolGeom& g, const int64_t* colLo,
                        const int64_t* colHi, int64_t r0, int64_t r1) {
  const int64_t C = g.C;
  const float scale = static_cast<float>(1.0 / static_cast<double>(g.fh * g.fw));
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t b = r / g.H, xr = r % g.H;
    // Output rows yr with yr*sh - padTop <= xr < yr*sh - padTop + fh.
    const int64_t yr0 = std::max<int64_t>(0, floor_div(xr + g.padTop - g.fh, g.sh) + 1);
    const int64_t yr1 = std::min<int64_t>(g.outH, floor_div(xr + g.padTop, g.sh) + 1);
    for (int64_t xc = 0; xc < g.W; ++xc) {
      float* __restrict o = dx + (r * g.W + xc) * C;
      for (int64_t c = 0; c < C; ++c) o[c] = 0.f;
      for (int64_t yr = yr0; yr < yr1; ++yr) {
        for (int64_t yc = colLo[xc]; yc < colHi[xc]; ++yc) {
          const float* __restrict d = dy + ((b * g.outH + yr) * g.outW + yc) * C;
          for (int64_t c = 0; c < C; ++c) o[c] += d[c];
        }
      }
      for (int64_t c = 0; c < C; ++c) o[c] *= scale;
    }
  }
}

// pool2d(x, y, isMax, B, H, W, C, outH, outW, fh, fw, sh, sw, padTop, padLeft)
Napi::Value Pool2D(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  float* y = f32(info[1]);
  const bool isMax = flag(info[2]);
  const PoolGeom g = geom_from(info, 3);
  const int64_t rows = g.B * g.outH, perRow = std::max<int64_t>(1, g.outW * g.C * g.fh * g.fw);
  parallel_range(rows, std::max<int64_t>(1, kGrain / perRow), [&](int64_t r0, int64_t r1, int) {
    if (isMax) max_pool_rows(x, y, g, r0, r1);
    else avg_pool_rows(x, y, g, r0, r1);
  });
  return info.Env().Undefined();
}

// maxPoolGrad(x, dy, dx, B, H, W, C, outH, outW, fh, fw, sh, sw, padTop, padLeft); dx is zeroed here
// (dx may hold stale data).
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  const float* dy = f32(info[1]);
  float* dx = f32(info[2]);
  const PoolGeom g = geom_from(info, 3);
  // Tasks: (image, channel chunk). Split channels further only when there are few images.
  const int T = num_threads();
  int64_t chunk = std::min<int64_t>(g.C, kMaxChunk);
  while (g.B * ((g.C + chunk - 1) / chunk) < 4 * T && chunk > 16) chunk = (chunk + 1) / 2;
  if (chunk < g.C && chunk > 16) chunk = (chunk + 15) / 16 * 16;
  const int64_t nChunks = (g.C + chunk - 1) / chunk, tasks = g.B * nChunks;
  auto run = [&](int64_t t, int) {
    const int64_t b = t / nChunks, c0 = (t % nChunks) * chunk;
    max_pool_grad_chunk(x, dy, dx, g, b, c0, std::min(g.C, c0 + chunk));
  };
  const int64_t work = g.B * g.outH * g.outW * g.C * g.fh * g.fw;
  if (tasks > 1 && work >= 2 * kGrain) parallel_for(tasks, run);
  else for (int64_t t = 0; t < tasks; ++t) run(t, 0);
  return info.Env().Undefined();
}

// avgPoolGrad(dy, dx, B, H, W, C, outH, outW, fh, fw, sh, sw, padTop, padLeft)
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  const float* dy = f32(info[0]);
  float* dx = f32(info[1]);
  const PoolGeom g = geom_from(info, 2);
  std::vector<int64_t> colLo(static_cast<size_t>(g.W)), colHi(static_cast<size_t>(g.W));
  for (int64_t xc = 0; xc < g.W; ++xc) {
    colLo[xc] = std::max<int64_t>(0, floor_div(xc + g.padLeft - g.fw, g.sw) + 1);
    colHi[xc] = std::max(colLo[xc], std::min<int64_t>(g.outW, floor_div(xc + g.padLeft, g.sw) + 1));
  }
  const int64_t rows = g.B * g.H, perRow = std::max<int64_t>(1, g.W * g.C * g.fh * g.fw);
  parallel_range(rows, std::max<int64_t>(1, kGrain / perRow), [&](int64_t r0, int64_t r1, int) {
    avg_pool_grad_rows(dy, dx, g, colLo.data(), colHi.data(), r0, r1);
  });
  return info.Env().Undefined();
}

}  // namespace

void init_pool(Napi::Env, Napi::Object exports) {
  CONTRASTIVE_EXPORT(exports, "pool2d", Pool2D);
  CONTRASTIVE_EXPORT(exports, "maxPoolGrad", MaxPoolGrad);
  CONTRASTIVE_EXPORT(exports, "avgPoolGrad", AvgPoolGrad);
}

}  // namespace contrastive
