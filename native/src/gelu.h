// GELU, the exact (erf) form, on plain floats: gelu1 inline (straight-line code, so loops that
// call it vectorize), gelu_span over a span (gelu.cc, compiled for AVX-512 / AVX2 / baseline): the
// elementwise kernel and the GEMM epilogue (Act::Gelu, gemm.cc) share it. Accuracy: gelu.cc.
#pragma once
#include <cstdint>

namespace contrastive {

// erf on [-4, 4] (+-1 in float32 outside): Eigen's generic_fast_erf_float, max abs error 4.7e-7.
inline float erf_f(float v) {
  float x = v < -4.f ? -4.f : v;
  x = x > 4.f ? 4.f : x;
  const float x2 = x * x;
  float p = -2.72614225801306e-10f;
  p = p * x2 + 2.77068142495902e-08f;
  p = p * x2 - 2.10102402082508e-06f;
  p = p * x2 - 5.69250639462346e-05f;
  p = p * x2 - 7.34990630326855e-04f;
  p = p * x2 - 2.95459980854025e-03f;
  p = p * x2 - 1.60960333262415e-02f;
  p = p * x;
  float q = -1.45660718464996e-05f;
  q = q * x2 - 2.13374055278905e-04f;
  q = q * x2 - 1.68282697438203e-03f;
  q = q * x2 - 7.37332916720468e-03f;
  q = q * x2 - 1.42647390514189e-02f;
  return p / q;
}

constexpr float kSqrtHalf = 0.70710678118654752f;

// 0.5 * v * (1 + erf(v / sqrt(2))).
inline float gelu1(float v) { return 0.5f * v * (1.f + erf_f(v * kSqrtHalf)); }

// y[i] = gelu(x[i]) for i in [0, n); y may be x (in place).
void gelu_span(const float* x, float* y, int64_t n);

}  // namespace contrastive
