// AVX2 + FMA micro-kernel, 6 x 16: 12 ymm accumulators, 2 ymm for the B row, 1 broadcast
// (the Haswell layout of BLIS kernels/haswell/3 and XNNPACK's 6x16 f32-gemm).
#include <immintrin.h>

#include "gemm.h"

namespace contrastive {
namespace {
constexpr int MR = 6, NR = 16;

void ukernel(int64_t kc, const float* Ap, const float* Bp, float* C, int64_t ldc, int accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int64_t k = 0; k < kc; ++k) {
    const __m256 b0 = _mm256_load_ps(Bp), b1 = _mm256_load_ps(Bp + 8);
    __m256 a;
    a = _mm256_broadcast_ss(Ap + 0); c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(Ap + 1); c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(Ap + 2); c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(Ap + 3); c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(Ap + 4); c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(Ap + 5); c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
    Ap += MR;
    Bp += NR;
  }
#define STORE_ROW(r, x0, x1)                                                           \
  {                                                                                    \
    float* cr = C + (r) * ldc;                                                         \
    if (accumulate) {                                                                  \
      x0 = _mm256_add_ps(x0, _mm256_loadu_ps(cr));                                     \
      x1 = _mm256_add_ps(x1, _mm256_loadu_ps(cr + 8));                                 \
    }                                                                                  \
    _mm256_storeu_ps(cr, x0);                                                          \
    _mm256_storeu_ps(cr + 8, x1);                                                      \
  }
  STORE_ROW(0, c00, c01) STORE_ROW(1, c10, c11) STORE_ROW(2, c20, c21)
  STORE_ROW(3, c30, c31) STORE_ROW(4, c40, c41) STORE_ROW(5, c50, c51)
#undef STORE_ROW
}
}  // namespace

KernelInfo kernel_avx2() { return {"avx2", MR, NR, ukernel}; }

}  // namespace contrastive
