// Float32 exp / log / expm1 / log1p / tanh written as straight-line code on plain floats and
// integers, so that GCC vectorizes the loops that call them (glibc's expf and logf stay scalar
// calls without -ffast-math). Cephes-style range reduction and polynomials. Maximum errors
// measured against double-precision libm on every third float of the whole range (with and without
// FMA contraction): exp 1.0 ulp, log 0.8, log1p 2.5, expm1 3.5 (near |x| = 0.35), tanh 1.3.
// NaN propagates, infinities and zeros follow C's special cases, denormal inputs of log are
// handled and exp produces denormals (no flush to zero). Also: CONTRASTIVE_CLONES, the
// multi-versioning attribute for hot loops.
#pragma once
#include <cstdint>
#include <cstdlib>  // defines __GLIBC__ where glibc is the C library
#include <cstring>

#if defined(__GNUC__)
#define CONTRASTIVE_INLINE inline __attribute__((always_inline))
#else
#define CONTRASTIVE_INLINE inline
#endif

// Hot loop functions are compiled for AVX-512, AVX2 and baseline x86-64, picked at load time
// (GCC function multi-versioning), so one build runs on any x86-64 CPU.
// glibc only: target_clones needs ifunc, which musl (Alpine) lacks.
#if defined(CONTRASTIVE_X64) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && defined(__GLIBC__)
#define CONTRASTIVE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CONTRASTIVE_CLONES
#endif

namespace contrastive {
namespace vmath {

CONTRASTIVE_INLINE uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
CONTRASTIVE_INLINE float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
// 2^n for n in [-126, 127] (exact).
CONTRASTIVE_INLINE float pow2i(int32_t n) { return from_bits(static_cast<uint32_t>(n + 127) << 23); }

CONTRASTIVE_INLINE float exp(float x) {
  // Clamp so that n below stays in [-150, 129] (NaN passes both comparisons unchanged); outside the
  // clamp exp overflows to inf or underflows to 0 anyway, and does so through the scaling below.
  float xc = x < -104.f ? -104.f : x;
  xc = xc > 89.f ? 89.f : xc;
  // n = round(x / ln2) with the 1.5 * 2^23 trick: t's low mantissa bits hold n.
  const float magic = 12582912.f;
  float t = xc * 1.44269504088896341f + magic;
  int32_t n = static_cast<int32_t>(bits(t) - bits(magic));
  float fn = t - magic;
  // r = x - n ln2 in two steps (ln2 = C1 + C2, C1 exact in 9 bits): |r| <= ln2 / 2.
  float r = xc - fn * 0.693359375f;
  r = r - fn * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float y = p * (r * r) + r + 1.f;
  // y * 2^n as y * 2^n1 * 2^n2 with both halves in the normal range: exact, then one rounding
  // (overflow to inf, gradual underflow to denormals and 0).
  int32_t n1 = n >> 1, n2 = n - n1;
  return y * pow2i(n1) * pow2i(n2);
}

// e^x - 1, accurate near 0: a Taylor polynomial for |x| < 0.35, exp(x) - 1 elsewhere.
CONTRASTIVE_INLINE float expm1(float x) {
  float big = vmath::exp(x) - 1.f;
  float q = 1.f / 40320.f;
  q = q * x + 1.f / 5040.f;
  q = q * x + 1.f / 720.f;
  q = q * x + 1.f / 120.f;
  q = q * x + 1.f / 24.f;
  q = q * x + 1.f / 6.f;
  q = q * x + 0.5f;
  float small = q * (x * x) + x;
  float ax = x < 0.f ? -x : x;
  return ax < 0.35f ? small : big;
}

CONTRASTIVE_INLINE float log(float x) {
  // Denormals: scale into the normal range first.
  const bool tiny = x < 1.17549435e-38f;
  float xs = tiny ? x * 8388608.f : x;
  const uint32_t u = bits(xs);
  float e = static_cast<float>(static_cast<int32_t>((u >> 23) & 0xff) - 126) - (tiny ? 23.f : 0.f);
  float m = from_bits((u & 0x007fffffu) | 0x3f000000u);  // mantissa in [0.5, 1)
  // Move m to [sqrt(1/2), sqrt(2)) and m - 1 to (-0.29, 0.41].
  const bool lo = m < 0.707106781186547524f;
  e = lo ? e - 1.f : e;
  m = lo ? m + m - 1.f : m - 1.f;
  const float z = m * m;
  float p = 7.0376836292e-2f;
  p = p * m - 1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m - 1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m - 1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m - 2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  float y = p * m * z;
  y = y + e * -2.12194440e-4f;
  y = y - 0.5f * z;
  float r = m + y + e * 0.693359375f;
  // Special cases: log(0) = -inf, log(inf) = inf, log(negative) = NaN, NaN -> NaN.
  r = x == 0.f ? -__builtin_inff() : r;
  r = x == __builtin_inff() ? x : r;
  r = x < 0.f ? __builtin_nanf("") : r;
  r = x != x ? x : r;
  return r;
}

// log(1 + x) accurate near 0 (Goldberg's trick: the rounding of 1 + x cancels out).
CONTRASTIVE_INLINE float log1p(float x) {
  const float u = 1.f + x;
  const float d = u - 1.f;
  float r = vmath::log(u) * (x / (d == 0.f ? 1.f : d));
  r = d == 0.f ? x : r;
  r = u == __builtin_inff() ? u : r;
  r = x != x ? x : r;
  return r;
}

CONTRASTIVE_INLINE float tanh(float x) {
  const float ax = x < 0.f ? -x : x;
  // |x| < 0.625: odd polynomial.
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * x + x;
  // Otherwise 1 - 2 / (e^{2|x|} + 1) (e overflows to inf for large |x|: the result is then 1).
  float big = 1.f - 2.f / (vmath::exp(ax + ax) + 1.f);
  big = x < 0.f ? -big : big;
  return ax < 0.625f ? small : big;
}

}  // namespace vmath
}  // namespace contrastive
