// AVX-512 micro-kernels, 14 x 32: 28 zmm accumulators, 2 zmm for the B row, 1 for the broadcast
// of A. 30 of the 32 zmm registers, as in the register budget of BLIS kernels/skx/3 (there 32 x 12,
// column-major).
//
// Two ways to read A: from a packed panel Ap[kc][MR] (ukernel), or in place from MR rows of a
// row-major A at stride lda (ukernel_direct, as MLAS's SgemmKernel reads A: no packing of A, the
// rows stay in L1 across the B panels of a row block). The direct kernel addresses its 14 rows as
// base + {0, 1, 2} x lda from 5 bases 3 rows apart, 7 general registers in the loop; it exists for
// every row count 1..14 (a template), so a partial row tile reads only its rows.
#include <immintrin.h>

// GCC 12 reports the _mm512_undefined_ps() inside the shuffle intrinsics as maybe-uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "avx512_transpose.h"
#include "gemm.h"

namespace contrastive {
namespace {
constexpr int MR = 14, NR = 32;

// Rows [0, ROWS) of the accumulators to C (added to C's values when accumulating).
template <int ROWS>
inline void store_tile(__m512 (&c)[MR][2], float* C, int64_t ldc, int accumulate) {
#pragma GCC unroll 14
  for (int r = 0; r < ROWS; ++r) {
    float* cr = C + r * ldc;
    if (accumulate) {
      c[r][0] = _mm512_add_ps(c[r][0], _mm512_loadu_ps(cr));
      c[r][1] = _mm512_add_ps(c[r][1], _mm512_loadu_ps(cr + 16));
    }
    _mm512_storeu_ps(cr, c[r][0]);
    _mm512_storeu_ps(cr + 16, c[r][1]);
  }
}

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
  store_tile<MR>(c, C, ldc, accumulate);
}

// ROWS (1..MR) rows of A in place; partial row tiles (M % MR) use ROWS < MR, so no row is read
// past A's end and no FMA is wasted on padding.
template <int ROWS>
void ukernel_direct(int64_t kc, const float* A, int64_t lda, const float* Bp, float* C, int64_t ldc, int accumulate) {
  static_assert(ROWS >= 1 && ROWS <= MR, "rows");
  __m512 c[MR][2];
#pragma GCC unroll 14
  for (int r = 0; r < ROWS; ++r) c[r][0] = c[r][1] = _mm512_setzero_ps();
  const float* p0 = A;
  const float* p3 = A + (ROWS > 3 ? 3 * lda : 0);
  const float* p6 = A + (ROWS > 6 ? 6 * lda : 0);
  const float* p9 = A + (ROWS > 9 ? 9 * lda : 0);
  const float* p12 = A + (ROWS > 12 ? 12 * lda : 0);
  const int64_t l2 = 2 * lda;
  for (int64_t k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_load_ps(Bp), b1 = _mm512_load_ps(Bp + 16);
#define CONTRASTIVE_ROW(r, ptr)                  \
  if (ROWS > r) {                                \
    const __m512 a = _mm512_set1_ps(ptr);        \
    c[r][0] = _mm512_fmadd_ps(a, b0, c[r][0]);   \
    c[r][1] = _mm512_fmadd_ps(a, b1, c[r][1]);   \
  }
    CONTRASTIVE_ROW(0, p0[0]) CONTRASTIVE_ROW(1, p0[lda]) CONTRASTIVE_ROW(2, p0[l2])
    CONTRASTIVE_ROW(3, p3[0]) CONTRASTIVE_ROW(4, p3[lda]) CONTRASTIVE_ROW(5, p3[l2])
    CONTRASTIVE_ROW(6, p6[0]) CONTRASTIVE_ROW(7, p6[lda]) CONTRASTIVE_ROW(8, p6[l2])
    CONTRASTIVE_ROW(9, p9[0]) CONTRASTIVE_ROW(10, p9[lda]) CONTRASTIVE_ROW(11, p9[l2])
    CONTRASTIVE_ROW(12, p12[0]) CONTRASTIVE_ROW(13, p12[lda])
#undef CONTRASTIVE_ROW
    ++p0, ++p3, ++p6, ++p9, ++p12;
    Bp += NR;
  }
  store_tile<ROWS>(c, C, ldc, accumulate);
}

void pack_columns(const float* src, int64_t cs, int64_t kc, float* dst) {
  int64_t k = 0;
  for (; k + 16 <= kc; k += 16)
    for (int c0 = 0; c0 < NR; c0 += 16) {
      __m512 r[16];
      for (int c = 0; c < 16; ++c) r[c] = _mm512_loadu_ps(src + (c0 + c) * cs + k);
      transpose16(r);
      for (int j = 0; j < 16; ++j) _mm512_store_ps(dst + (k + j) * NR + c0, r[j]);
    }
  for (; k < kc; ++k)
    for (int c = 0; c < NR; ++c) dst[k * NR + c] = src[c * cs + k];
}

const MicroKernelDirect kDirect[MR + 1] = {
    nullptr,           ukernel_direct<1>,  ukernel_direct<2>,  ukernel_direct<3>,  ukernel_direct<4>,
    ukernel_direct<5>, ukernel_direct<6>,  ukernel_direct<7>,  ukernel_direct<8>,  ukernel_direct<9>,
    ukernel_direct<10>, ukernel_direct<11>, ukernel_direct<12>, ukernel_direct<13>, ukernel_direct<14>,
};
}  // namespace

KernelInfo kernel_avx512() { return {"avx512", MR, NR, ukernel, kDirect, pack_columns}; }

}  // namespace contrastive
