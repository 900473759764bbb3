// One row of the masked softmax of scaled dot-product attention, shared by the training kernel
// (attention_softmax.cc) and the fused inference attention (attention_fused.cc):
//   z = exp(s * scale + bias - max) / sum,  bias may be null, z may be s (in place).
// The max skips NaN (so the loops vectorize); a NaN logit still makes the sum NaN, and a row whose
// max or sum is not finite (a NaN or +inf logit, or every key masked to -inf) comes out all NaN,
// as tfjs's Softmax gives. 16 independent lanes for the max and the sum.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "vmath.h"

namespace contrastive {

CONTRASTIVE_CLONES
inline void masked_softmax_row(const float* s, const float* __restrict bias, float* z, int64_t n, float scale) {
  constexpr int64_t L = 16;
  if (bias)
    for (int64_t i = 0; i < n; ++i) z[i] = s[i] * scale + bias[i];
  else
    for (int64_t i = 0; i < n; ++i) z[i] = s[i] * scale;
  float m[L];
  for (int64_t j = 0; j < L; ++j) m[j] = -std::numeric_limits<float>::infinity();
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int64_t j = 0; j < L; ++j) m[j] = std::max(m[j], z[i + j]);
  for (int64_t j = 0; i + j < n; ++j) m[j] = std::max(m[j], z[i + j]);
  float mx = m[0];
  for (int64_t j = 1; j < L; ++j) mx = m[j] > mx ? m[j] : mx;
  float acc[L] = {};
  for (i = 0; i + L <= n; i += L)
    for (int64_t j = 0; j < L; ++j) {
      const float e = vmath::exp(z[i + j] - mx);
      z[i + j] = e;
      acc[j] += e;
    }
  for (int64_t j = 0; i + j < n; ++j) {
    const float e = vmath::exp(z[i + j] - mx);
    z[i + j] = e;
    acc[j] += e;
  }
  float total = 0.f;
  for (int64_t j = 0; j < L; ++j) total += acc[j];
  if (!std::isfinite(mx) || !std::isfinite(total)) {
    std::fill(z, z + n, std::numeric_limits<float>::quiet_NaN());
    return;
  }
  const float inv = 1.f / total;
  for (i = 0; i < n; ++i) z[i] *= inv;
}

}  // namespace contrastive
