// The softmax of scaled dot-product attention with its additive key mask, and its gradient, one
// pass per row each (instead of Mul + Add + Softmax forward and ~6 kernels backward):
//   forward:  z = scores * scale + bias[b],  y = exp(z - max z) / sum(exp(z - max z))
//   backward: dscores = scale * y * (dy - sum(dy * y))
// scores, y: [B, R, n] (R = heads * queries), bias: [B, n] (one row of key biases per batch
// element), rows = B * R. As the Softmax kernel (norm.cc), a row whose max is not finite is NaN.
#include <algorithm>
#include <cmath>
#include <limits>

#include "napi_util.h"
#include "thread_pool.h"
#include "vmath.h"

namespace contrastive {
namespace {

constexpr int64_t kGrain = 16384;
constexpr int64_t L = 16;

// z = s * scale + bias (bias may be null); returns max z (NaN if any z is NaN).
CONTRASTIVE_CLONES
float scaled_row(const float* __restrict s, const float* __restrict bias, float* __restrict z, int64_t n, float scale) {
  if (bias)
    for (int64_t i = 0; i < n; ++i) z[i] = s[i] * scale + bias[i];
  else
    for (int64_t i = 0; i < n; ++i) z[i] = s[i] * scale;
  float m[L];
  int32_t nan[L];
  for (int64_t j = 0; j < L; ++j) { m[j] = -std::numeric_limits<float>::infinity(); nan[j] = 0; }
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int64_t j = 0; j < L; ++j) {
      const float v = z[i + j];
      m[j] = v > m[j] ? v : m[j];
      nan[j] |= v != v;
    }
  for (int64_t j = 0; i + j < n; ++j) {
    const float v = z[i + j];
    m[j] = v > m[j] ? v : m[j];
    nan[j] |= v != v;
  }
  float r = m[0];
  int32_t any = nan[0];
  for (int64_t j = 1; j < L; ++j) { r = m[j] > r ? m[j] : r; any |= nan[j]; }
  return any ? std::numeric_limits<float>::quiet_NaN() : r;
}

// z = exp(z - m) in place; returns the sum.
CONTRASTIVE_CLONES
float exp_row(float* __restrict z, int64_t n, float m) {
  float s[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int64_t j = 0; j < L; ++j) {
      const float e = vmath::exp(z[i + j] - m);
      z[i + j] = e;
      s[j] += e;
    }
  for (int64_t j = 0; i + j < n; ++j) {
    const float e = vmath::exp(z[i + j] - m);
    z[i + j] = e;
    s[j] += e;
  }
  float r = 0.f;
  for (int64_t j = 0; j < L; ++j) r += s[j];
  return r;
}

CONTRASTIVE_CLONES
void scale_row(float* __restrict z, int64_t n, float k) {
  for (int64_t i = 0; i < n; ++i) z[i] *= k;
}

CONTRASTIVE_CLONES
float dot_row(const float* __restrict a, const float* __restrict b, int64_t n) {
  float s[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int64_t j = 0; j < L; ++j) s[j] += a[i + j] * b[i + j];
  for (int64_t j = 0; i + j < n; ++j) s[j] += a[i + j] * b[i + j];
  float r = 0.f;
  for (int64_t j = 0; j < L; ++j) r += s[j];
  return r;
}

CONTRASTIVE_CLONES
void grad_row(const float* __restrict dy, const float* __restrict y, float* __restrict dx, int64_t n, float d, float scale) {
  for (int64_t i = 0; i < n; ++i) dx[i] = scale * y[i] * (dy[i] - d);
}

// maskedSoftmax(scores, bias|null, y, B, R, n, scale)
Napi::Value MaskedSoftmax(const Napi::CallbackInfo& info) {
  const float* s = f32(info[0]);
  const float* bias = f32_or_null(info[1]);
  float* y = f32(info[2]);
  const int64_t B = num(info[3]), R = num(info[4]), n = num(info[5]);
  const float scale = static_cast<float>(dbl(info[6]));
  const int64_t rows = B * R;
  if (rows == 0 || n == 0) return info.Env().Undefined();
  parallel_range(rows, std::max<int64_t>(1, kGrain / n), [&](int64_t r0, int64_t r1, int) {
    for (int64_t r = r0; r < r1; ++r) {
      float* o = y + r * n;
      const float m = scaled_row(s + r * n, bias ? bias + (r / R) * n : nullptr, o, n, scale);
      if (!std::isfinite(m)) {
        std::fill(o, o + n, std::numeric_limits<float>::quiet_NaN());
        continue;
      }
      scale_row(o, n, 1.f / exp_row(o, n, m));
    }
  });
  return info.Env().Undefined();
}

// maskedSoftmaxGrad(dy, y, dx, rows, n, scale)
Napi::Value MaskedSoftmaxGrad(const Napi::CallbackInfo& info) {
  const float* dy = f32(info[0]);
  const float* y = f32(info[1]);
  float* dx = f32(info[2]);
  const int64_t rows = num(info[3]), n = num(info[4]);
  const float scale = static_cast<float>(dbl(info[5]));
  if (rows == 0 || n == 0) return info.Env().Undefined();
  parallel_range(rows, std::max<int64_t>(1, kGrain / n), [&](int64_t r0, int64_t r1, int) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* g = dy + r * n;
      const float* p = y + r * n;
      grad_row(g, p, dx + r * n, n, dot_row(g, p, n), scale);
    }
  });
  return info.Env().Undefined();
}

}  // namespace

void init_attention_softmax(Napi::Env, Napi::Object exports) {
  CONTRASTIVE_EXPORT(exports, "maskedSoftmax", MaskedSoftmax);
  CONTRASTIVE_EXPORT(exports, "maskedSoftmaxGrad", MaskedSoftmaxGrad);
}

}  // namespace contrastive
