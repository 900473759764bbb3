// Portable micro-kernel, 4 x 16, written with GCC/Clang vector extensions so that it compiles to
// the baseline SIMD of any target (SSE2 on x86-64 without AVX2, NEON on arm64): 16 accumulator
// vectors of 4 floats, one broadcast per row. Used where neither AVX2+FMA nor AVX-512 is present.
#include <cstring>

#include "gemm.h"

namespace contrastive {
namespace {
constexpr int MR = 4, NR = 16;

#if defined(__GNUC__) || defined(__clang__)
typedef float v4 __attribute__((vector_size(16)));

inline v4 load4(const float* p) {
  v4 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline void store4(float* p, v4 v) { std::memcpy(p, &v, sizeof(v)); }

void ukernel(int64_t kc, const float* Ap, const float* Bp, float* C, int64_t ldc, int accumulate) {
  v4 c[MR][4] = {};
  for (int64_t k = 0; k < kc; ++k) {
    const v4 b0 = load4(Bp), b1 = load4(Bp + 4), b2 = load4(Bp + 8), b3 = load4(Bp + 12);
    for (int r = 0; r < MR; ++r) {
      const v4 a = {Ap[r], Ap[r], Ap[r], Ap[r]};
      c[r][0] += a * b0;
      c[r][1] += a * b1;
      c[r][2] += a * b2;
      c[r][3] += a * b3;
    }
    Ap += MR;
    Bp += NR;
  }
  for (int r = 0; r < MR; ++r) {
    float* cr = C + r * ldc;
    for (int q = 0; q < 4; ++q) {
      v4 v = c[r][q];
      if (accumulate) v += load4(cr + 4 * q);
      store4(cr + 4 * q, v);
    }
  }
}
#else
void ukernel(int64_t kc, const float* Ap, const float* Bp, float* C, int64_t ldc, int accumulate) {
  float acc[MR][NR] = {};
  for (int64_t k = 0; k < kc; ++k)
    for (int r = 0; r < MR; ++r)
      for (int c = 0; c < NR; ++c) acc[r][c] += Ap[k * MR + r] * Bp[k * NR + c];
  for (int r = 0; r < MR; ++r)
    for (int c = 0; c < NR; ++c) C[r * ldc + c] = accumulate ? C[r * ldc + c] + acc[r][c] : acc[r][c];
}
#endif
}  // namespace

KernelInfo kernel_generic() { return {"generic", MR, NR, ukernel}; }

}  // namespace contrastive
