// GELU, the exact (erf) form (Hendrycks & Gimpel 2016, arXiv:1606.08415), BERT's 'gelu', and its
// gradient, one pass each instead of tfjs's ~6 forward and ~10 backward elementwise kernels:
//   gelu(x)  = x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2)))
//   gelu'(x) = Phi(x) + x * phi(x) = 0.5 * (1 + erf(x / sqrt(2))) + x * exp(-x^2 / 2) / sqrt(2 pi)
// erf (gelu.h) is a rational minimax approximation on [-4, 4] (Eigen's generic_fast_erf_float;
// erf is +-1 in float32 outside), max abs error 4.7e-7 against double erf (measured on every float
// in [-6, 6]; gelu itself within 1.4e-6, 3 ulp of x, at |x| < 6); it and vmath::exp are
// straight-line code, so the loops vectorize. gelu_span is also the GEMM's Act::Gelu epilogue.
#include <algorithm>

#include "gelu.h"
#include "napi_util.h"
#include "thread_pool.h"
#include "vmath.h"

namespace contrastive {

CONTRASTIVE_CLONES
void gelu_span(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = gelu1(x[i]);
}

namespace {

constexpr int64_t kGrain = 16384;

constexpr float kInvSqrt2Pi = 0.39894228040143268f;

CONTRASTIVE_CLONES
void gelu_grad_span(const float* __restrict dy, const float* __restrict x, float* __restrict dx, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float cdf = 0.5f * (1.f + erf_f(v * kSqrtHalf));
    const float pdf = kInvSqrt2Pi * vmath::exp(-0.5f * v * v);
    dx[i] = dy[i] * (cdf + v * pdf);
  }
}

// gelu(x, y): y = gelu(x) elementwise.
Napi::Value Gelu(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  float* y = f32(info[1]);
  const int64_t n = static_cast<int64_t>(f32_len(info[0]));
  parallel_range(n, kGrain, [&](int64_t b, int64_t e, int) { gelu_span(x + b, y + b, e - b); });
  return info.Env().Undefined();
}

// geluGrad(dy, x, dx): dx = dy * gelu'(x) elementwise.
Napi::Value GeluGrad(const Napi::CallbackInfo& info) {
  const float* dy = f32(info[0]);
  const float* x = f32(info[1]);
  float* dx = f32(info[2]);
  const int64_t n = static_cast<int64_t>(f32_len(info[1]));
  parallel_range(n, kGrain, [&](int64_t b, int64_t e, int) { gelu_grad_span(dy + b, x + b, dx + b, e - b); });
  return info.Env().Undefined();
}

}  // namespace

void init_gelu(Napi::Env, Napi::Object exports) {
  CONTRASTIVE_EXPORT(exports, "gelu", Gelu);
  CONTRASTIVE_EXPORT(exports, "geluGrad", GeluGrad);
}

}  // namespace contrastive
