// Normalizations: FusedBatchNorm (inference form, parameters per last-axis channel) and Softmax
// over the last axis.
//   batchNorm: out = offset + (x - mean) * scale / sqrt(variance + eps), computed in double and
//     rounded once, as the cpu kernel does (which computes in JavaScript numbers).
//   softmax: per row, m = max, e = exp(x - m), out = e / sum(e); exp is a vectorizable polynomial
//     (Cephes expf, ~1 ulp); a row whose max is not finite (NaN, +inf, or all -inf) is all NaN, as
//     on cpu.
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

constexpr int64_t kGrain = 16384;

// out[i] = o[i % P] + (x[i] - m[i % P]) * a[i % P] for i in [0, n), n <= P (one period).
CONTRASTIVE_CLONES
void bn_span(const float* __restrict x, float* __restrict out, const double* __restrict m, const double* __restrict a,
             const double* __restrict o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(o[i] + (static_cast<double>(x[i]) - m[i]) * a[i]);
}

// batchNorm(x, out, mean[C], variance[C], offset[C] | null, scale[C] | null, C, eps); x: [N, C].
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  float* out = f32(info[1]);
  const float* mean = f32(info[2]);
  const float* var = f32(info[3]);
  const float* offset = f32_or_null(info[4]);
  const float* scale = f32_or_null(info[5]);
  const int64_t C = num(info[6]);
  const double eps = dbl(info[7]);
  const int64_t total = static_cast<int64_t>(f32_len(info[0]));
  if (total == 0 || C <= 0) return info.Env().Undefined();
  // Parameters repeated to a period P (a multiple of C, >= 256) so that the loop runs long.
  const int64_t reps = std::max<int64_t>(1, (256 + C - 1) / C), P = C * reps;
  std::vector<double> m(P), a(P), o(P);
  for (int64_t c = 0; c < C; ++c) {
    const double s = scale ? static_cast<double>(scale[c]) : 1.0;
    m[c] = mean[c];
    a[c] = s / std::sqrt(static_cast<double>(var[c]) + eps);
    o[c] = offset ? static_cast<double>(offset[c]) : 0.0;
  }
  for (int64_t i = C; i < P; ++i) { m[i] = m[i - C]; a[i] = a[i - C]; o[i] = o[i - C]; }
  const int64_t periods = (total + P - 1) / P;
  parallel_range(periods, std::max<int64_t>(1, 4 * kGrain / P), [&](int64_t p0, int64_t p1, int) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t i = p * P;
      bn_span(x + i, out + i, m.data(), a.data(), o.data(), std::min(P, total - i));
    }
  });
  return info.Env().Undefined();
}

// Row max, NaN-propagating (as tfjs's Max kernel). L independent lanes so the loop vectorizes
// without reassociation.
constexpr int64_t L = 16;

CONTRASTIVE_CLONES
float row_max(const float* __restrict x, int64_t n) {
  float m[L];
  int32_t nan[L];
  for (int64_t j = 0; j < L; ++j) { m[j] = -std::numeric_limits<float>::infinity(); nan[j] = 0; }
  int64_t i = 0;
  for (; i + L <= n; i += L) {
    for (int64_t j = 0; j < L; ++j) {
      const float v = x[i + j];
      m[j] = v > m[j] ? v : m[j];
      nan[j] |= v != v;
    }
  }
  for (int64_t j = 0; i + j < n; ++j) {
    const float v = x[i + j];
    m[j] = v > m[j] ? v : m[j];
    nan[j] |= v != v;
  }
  float r = m[0];
  int32_t any = nan[0];
  for (int64_t j = 1; j < L; ++j) { r = m[j] > r ? m[j] : r; any |= nan[j]; }
  return any ? std::numeric_limits<float>::quiet_NaN() : r;
}

CONTRASTIVE_CLONES
float row_sum(const float* __restrict x, int64_t n) {
  float s[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int64_t j = 0; j < L; ++j) s[j] += x[i + j];
  for (int64_t j = 0; i + j < n; ++j) s[j] += x[i + j];
  float r = 0.f;
  for (int64_t j = 0; j < L; ++j) r += s[j];
  return r;
}

// out[i] = exp(x[i] - m) for i in [0, n); x - m <= 0 (m finite). vmath::exp vectorizes.
CONTRASTIVE_CLONES
void exp_shifted(const float* __restrict x, float* __restrict out, int64_t n, float m) {
  for (int64_t i = 0; i < n; ++i) out[i] = vmath::exp(x[i] - m);
}

CONTRASTIVE_CLONES
void scale_row(float* __restrict out, int64_t n, float s) {
  for (int64_t i = 0; i < n; ++i) out[i] *= s;
}

// softmax(x, out, rows, n); x, out: [rows, n].
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  float* out = f32(info[1]);
  const int64_t rows = num(info[2]), n = num(info[3]);
  if (rows == 0 || n == 0) return info.Env().Undefined();
  parallel_range(rows, std::max<int64_t>(1, kGrain / n), [&](int64_t r0, int64_t r1, int) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = x + r * n;
      float* o = out + r * n;
      const float m = row_max(xr, n);
      if (!std::isfinite(m)) {
        std::fill(o, o + n, std::numeric_limits<float>::quiet_NaN());
        continue;
      }
      exp_shifted(xr, o, n, m);
      scale_row(o, n, 1.f / row_sum(o, n));
    }
  });
  return info.Env().Undefined();
}

}  // namespace

void init_norm(Napi::Env, Napi::Object exports) {
  CONTRASTIVE_EXPORT(exports, "batchNorm", BatchNorm);
  CONTRASTIVE_EXPORT(exports, "softmax", Softmax);
}

}  // namespace contrastive
