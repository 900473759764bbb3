// The softmax of scaled dot-product attention with its additive key mask, and its gradient, one
// pass per row each (instead of Mul + Add + Softmax forward and ~6 kernels backward):
//   forward:  z = scores * scale + bias[b],  y = exp(z - max z) / sum(exp(z - max z))
//   backward: dscores = scale * y * (dy - sum(dy * y))
// scores, y: [B, R, n] (R = heads * queries), bias: [B, n] (one row of key biases per batch
// element), rows = B * R. The forward row is masked_softmax_row.h (shared with the fused inference
// attention); as the Softmax kernel (norm.cc), a row whose max is not finite is NaN.
#include <algorithm>

#include "masked_softmax_row.h"
#include "napi_util.h"
#include "thread_pool.h"
#include "vmath.h"

namespace contrastive {
namespace {

constexpr int64_t kGrain = 16384;
constexpr int64_t L = 16;

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
      masked_softmax_row(s + r * n, bias ? bias + (r / R) * n : nullptr, y + r * n, n, scale);
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
