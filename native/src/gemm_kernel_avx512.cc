// AVX-512 micro-kernel, 14 x 32: 28 zmm accumulators, 2 zmm for the B row, A broadcast from
// memory inside the FMA ({1to16} embedded broadcast). 30 of the 32 zmm registers, as in the
// register budget of BLIS kernels/skx/3 (there 32 x 12, column-major).
#include <immintrin.h>

#include "gemm.h"

namespace contrastive {
namespace {
constexpr int MR = 14, NR = 32;

void ukernel(int64_t kc, const float* Ap, const float* Bp, float* C, int64_t ldc, int accumulate) {
  __m512 c[MR][2];
#pragma GCC unroll 14
  for (int r = 0; r < MR; ++r) c[r][0] = c[r][1] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_load_ps(Bp), b1 = _mm512_load_ps(Bp + 16);
#pragma GCC unroll 14
    for (int r = 0; r < MR; ++r) {
      const __m512 a = _mm512_set1_ps(Ap[r]);
      c[r][0] = _mm512_fmadd_ps(a, b0, c[r][0]);
      c[r][1] = _mm512_fmadd_ps(a, b1, c[r][1]);
    }
    Ap += MR;
    Bp += NR;
  }
#pragma GCC unroll 14
  for (int r = 0; r < MR; ++r) {
    float* cr = C + r * ldc;
    if (accumulate) {
      c[r][0] = _mm512_add_ps(c[r][0], _mm512_loadu_ps(cr));
      c[r][1] = _mm512_add_ps(c[r][1], _mm512_loadu_ps(cr + 16));
    }
    _mm512_storeu_ps(cr, c[r][0]);
    _mm512_storeu_ps(cr + 16, c[r][1]);
  }
}
}  // namespace

KernelInfo kernel_avx512() { return {"avx512", MR, NR, ukernel}; }

}  // namespace contrastive
