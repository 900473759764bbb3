// Short-sequence attention on AVX-512 (see attention_short.h), a run of consecutive heads at a
// time. Per head: K^T packed once ([D, Lkp], Lkp = Lk rounded up to 16, zero columns past Lk); then
// per block of 12 query rows:
//   scores      R rows x all Lkp keys per register tile (R = 6 up to 64 keys, 4 up to 96, 3 up to
//               128: at most 24 accumulators), Q broadcast from memory; in the same tile, per row,
//               s * scale + bias, its max, exp(. - max) written to E [12, Lkp] (in L1) and 1 / sum
//               (the keys past Lk carry a -inf bias and are left out of the sum);
//   out = E V / sum   12 rows x 32 (D = 32) or 6 rows x 64 (D = 64) per register tile, V read in
//               place (its rows of D floats at stride ld), each row scaled by its 1 / sum.
// A head's working set stays in L1 (at L = 64, D = 32: K^T 8 KB, E 3 KB, V 8 KB), and each head
// prefetches the next one's Q, K and V rows, whose stride of ld floats the hardware prefetchers
// pick up late.
#include <immintrin.h>

// GCC 12 reports the _mm512_undefined_ps() inside the max, min, sub, shuffle and reduce intrinsics
// as (maybe-)uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "attention_short.h"
#include "avx512_transpose.h"

namespace contrastive {
namespace {

constexpr int64_t KMAX = kShortAttentionMaxKeys, DMAX = 64, RB = 12;

// Per-thread scratch, ~39 KB (only unaligned loads and stores touch it).
struct Scratch {
  float kt[DMAX * KMAX];  // K^T [D, Lkp]
  float s[RB * KMAX];     // scores, then exponentials, of a row block [RB, Lkp]
  float bias[KMAX];       // the bias row [Lkp]: bias (or 0) for j < Lk, -inf past it
  float qpad[6 * DMAX];   // the query rows of a last partial score tile, zero-padded
};
thread_local Scratch tl_scratch;

// vmath::exp in 16 lanes for x <= 0 (or NaN): the same lower clamp, reduction and polynomial (with
// FMAs), and the scaling by 2^n as one vscalefps (one rounding, gradual underflow). NaN propagates:
// max returns its second operand when either is NaN.
inline __m512 exp16(__m512 x) {
  const __m512 xc = _mm512_max_ps(_mm512_set1_ps(-104.f), x);  // x <= 0 here: no upper clamp
  const __m512 magic = _mm512_set1_ps(12582912.f);
  const __m512 fn = _mm512_sub_ps(_mm512_fmadd_ps(xc, _mm512_set1_ps(1.44269504088896341f), magic), magic);
  __m512 r = _mm512_fnmadd_ps(fn, _mm512_set1_ps(0.693359375f), xc);
  r = _mm512_fnmadd_ps(fn, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.f));
  return _mm512_scalef_ps(y, fn);
}

// Calls f(std::integral_constant<int, n>) for a runtime n in [1, N].
template <int N, typename F>
inline void with_count(int n, F&& f) {
  if constexpr (N >= 1) {
    if (n == N) {
      f(std::integral_constant<int, N>{});
      return;
    }
    with_count<N - 1>(n, f);
  }
}

// kt [D, Lkp] = K^T for K's Lk rows at stride ld, zero past Lk; 16 x 16 blocks in registers. (K
// scaled here instead of the scores rounds the logits differently, by up to 1.5e-5 relative in the
// outputs against the generic path: scores * scale stays, as the generic path rounds it.)
void transpose_keys(const float* k, int64_t ld, int64_t Lk, int64_t D, float* kt, int64_t Lkp) {
  for (int64_t j0 = 0; j0 < Lk; j0 += 16) {
    const int64_t nj = Lk - j0 < 16 ? Lk - j0 : 16;
    for (int64_t d0 = 0; d0 < D; d0 += 16) {
      __m512 r[16];
      for (int c = 0; c < 16; ++c) r[c] = c < nj ? _mm512_loadu_ps(k + (j0 + c) * ld + d0) : _mm512_setzero_ps();
      transpose16(r);
      for (int j = 0; j < 16; ++j) _mm512_storeu_ps(kt + (d0 + j) * Lkp + j0, r[j]);
    }
  }
}

// Rows of a score tile per key count: R x NV accumulators, R * NV <= 24 (with the NV K^T vectors
// of one d and a broadcast, within the 32 zmm registers); R divides RB.
constexpr int tile_rows(int nv) { return nv <= 4 ? 6 : nv <= 6 ? 4 : 3; }

// For R query rows (q, row stride ldq) against all Lkp = 16 NV keys (kt [D, Lkp]): the scores in
// registers, then per row z = s * scale + bias, m = max z (skipping NaN), e = exp(z - m) written to
// e [R, Lkp], inv[r] = 1 / sum of e over the keys before Lk (the last vector's lanes in `last`), or
// NaN when the max or the sum is not finite (a NaN or +inf logit, or every key at -inf), as
// masked_softmax_row.h.
// c[R][16 NV] = a[R, K] (row stride lda) * b[K, 16 NV] (row stride ldb), in registers: the
// product of both halves of the kernel (Q K^T with K^T packed, and P V).
template <int R, int NV>
inline void tile_product(const float* a, int64_t lda, const float* b, int64_t ldb, int64_t K, __m512 (&c)[R][NV]) {
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int w = 0; w < NV; ++w) c[r][w] = _mm512_setzero_ps();
  for (int64_t k = 0; k < K; ++k) {
    __m512 bk[NV];
#pragma GCC unroll 8
    for (int w = 0; w < NV; ++w) bk[w] = _mm512_loadu_ps(b + k * ldb + 16 * w);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      const __m512 ar = _mm512_set1_ps(a[r * lda + k]);
#pragma GCC unroll 8
      for (int w = 0; w < NV; ++w) c[r][w] = _mm512_fmadd_ps(ar, bk[w], c[r][w]);
    }
  }
}

template <int NV>
inline void score_tile(const float* q, int64_t ldq, const float* kt, int64_t D, const float* bias, __mmask16 last,
                       float scale, float* e, float* inv) {
  constexpr int R = tile_rows(NV);
  constexpr int64_t Lkp = 16 * NV;
  __m512 c[R][NV];
  tile_product<R, NV>(q, ldq, kt, Lkp, D, c);
  const __m512 sc = _mm512_set1_ps(scale);
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    __m512 m = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
#pragma GCC unroll 8
    for (int w = 0; w < NV; ++w) {
      c[r][w] = _mm512_add_ps(_mm512_mul_ps(c[r][w], sc), _mm512_loadu_ps(bias + 16 * w));
      m = _mm512_max_ps(c[r][w], m);  // m when the score is NaN: the max skips NaN
    }
    const float mx = _mm512_reduce_max_ps(m);
    const __m512 vm = _mm512_set1_ps(mx);
    __m512 acc = _mm512_setzero_ps();
#pragma GCC unroll 8
    for (int w = 0; w < NV; ++w) {
      const __m512 x = exp16(_mm512_sub_ps(c[r][w], vm));
      _mm512_storeu_ps(e + r * Lkp + 16 * w, x);
      acc = w + 1 < NV ? _mm512_add_ps(acc, x) : _mm512_mask_add_ps(acc, last, acc, x);
    }
    const float total = _mm512_reduce_add_ps(acc);
    inv[r] = std::isfinite(mx) && std::isfinite(total) ? 1.f / total : std::numeric_limits<float>::quiet_NaN();
  }
}

// e [rows, Lkp] and inv [rows] of score_tile for `rows` (1..RB) query rows at stride ld; a last
// partial tile reads its rows from a zero-padded copy (qpad [R, D]), its padding rows land in the
// unused rows of e (R divides RB).
template <int NV>
void score_block(int rows, const float* q, int64_t ld, const float* kt, int64_t D, const float* bias, __mmask16 last,
                 float scale, float* e, float* inv, float* qpad) {
  constexpr int R = tile_rows(NV);
  constexpr int64_t Lkp = 16 * NV;
  for (int r0 = 0; r0 < rows; r0 += R) {
    if (rows - r0 >= R) {
      score_tile<NV>(q + r0 * ld, ld, kt, D, bias, last, scale, e + r0 * Lkp, inv + r0);
      continue;
    }
    for (int r = 0; r < R; ++r)
      for (int64_t d = 0; d < D; ++d) qpad[r * D + d] = r0 + r < rows ? q[(r0 + r) * ld + d] : 0.f;
    score_tile<NV>(qpad, D, kt, D, bias, last, scale, e + r0 * Lkp, inv + r0);
  }
}

// out[R, 16 NV] (row stride ld) = p[R, Lk] (row stride Lkp) * v[Lk rows at stride ld, 16 NV], row r
// times inv[r].
template <int R, int NV>
inline void pv_tile(const float* p, int64_t Lkp, const float* v, int64_t ld, int64_t Lk, const float* inv, float* out) {
  __m512 c[R][NV];
  tile_product<R, NV>(p, Lkp, v, ld, Lk, c);
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
    const __m512 f = _mm512_set1_ps(inv[r]);
#pragma GCC unroll 4
    for (int w = 0; w < NV; ++w) _mm512_storeu_ps(out + r * ld + 16 * w, _mm512_mul_ps(c[r][w], f));
  }
}

// out[rows, D] = P V / sum for `rows` (1..RB) rows: 12 x 32 tiles (D = 32) or 6 x 64 (D = 64).
void pv_block(int rows, int64_t D, const float* p, int64_t Lkp, const float* v, int64_t ld, int64_t Lk,
              const float* inv, float* out) {
  if (D == 32) {
    with_count<12>(rows, [&](auto R) { pv_tile<decltype(R)::value, 2>(p, Lkp, v, ld, Lk, inv, out); });
    return;
  }
  for (int r0 = 0; r0 < rows; r0 += 6) {
    const int nr = rows - r0 < 6 ? rows - r0 : 6;
    with_count<6>(nr, [&](auto R) {
      pv_tile<decltype(R)::value, 4>(p + r0 * Lkp, Lkp, v, ld, Lk, inv + r0, out + r0 * ld);
    });
  }
}

// Prefetches rows [r0, r1) of an [n, D] matrix at stride ld, one 64-byte line at a time.
inline void prefetch_rows(const float* x, int64_t ld, int64_t D, int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t d = 0; d < D; d += 16) _mm_prefetch(reinterpret_cast<const char*>(x + r * ld + d), _MM_HINT_T0);
}

// Rows of heads to come to prefetch, in the order they are needed: K, V, then Q, of up to two
// heads. (Prefetching out's rows for writing as well measured no faster.)
struct Ahead {
  int heads = 0;
  const float* p[2][3];
  int64_t n[3];
};

// One head (pointers at its columns, rows at stride ld). With every row block it prefetches a
// share of the rows of the heads `ahead` (the one after next: 1.25x over no prefetching at B 32,
// L 64, D 32, then 1.05x over prefetching the next one), whose lines, at a stride of ld floats,
// the hardware prefetchers pick up late.
template <int NV>
void head(const float* q, const float* k, const float* v, const float* bias, float* out, int64_t Lq, int64_t Lk,
          int64_t D, int64_t ld, float scale, const Ahead& ahead, Scratch& w) {
  constexpr int64_t Lkp = 16 * NV;
  const __mmask16 last = static_cast<__mmask16>(Lk % 16 ? (1u << (Lk % 16)) - 1 : 0xFFFFu);
  transpose_keys(k, ld, Lk, D, w.kt, Lkp);
  for (int64_t j = 0; j < Lkp; ++j) w.bias[j] = j < Lk ? (bias ? bias[j] : 0.f) : -std::numeric_limits<float>::infinity();
  const int64_t blocks = (Lq + RB - 1) / RB, pre = Lq + 2 * Lk;
  float inv[RB];
  for (int64_t i0 = 0, blk = 0; i0 < Lq; i0 += RB, ++blk) {
    for (int h = 0; h < ahead.heads; ++h) {  // rows [p0, p1) of K, V, Q in turn
      int64_t p0 = pre * blk / blocks, p1 = pre * (blk + 1) / blocks;
      for (int m = 0; m < 3; ++m) {
        prefetch_rows(ahead.p[h][m], ld, D, std::min(p0, ahead.n[m]), std::min(p1, ahead.n[m]));
        p0 = std::max<int64_t>(p0 - ahead.n[m], 0);
        p1 = std::max<int64_t>(p1 - ahead.n[m], 0);
      }
    }
    const int rows = static_cast<int>(Lq - i0 < RB ? Lq - i0 : RB);
    score_block<NV>(rows, q + i0 * ld, ld, w.kt, D, w.bias, last, scale, w.s, inv, w.qpad);
    pv_block(rows, D, w.s, Lkp, v, ld, Lk, inv, out + i0 * ld);
  }
}

}  // namespace

void attention_heads_short_avx512(const float* q, const float* k, const float* v, const float* bias, float* out,
                                  int64_t G, int64_t Lq, int64_t Lk, int64_t D, float scale, int64_t t0, int64_t t1) {
  const int64_t H = G * D, nv = (Lk + 15) / 16;
  Scratch& w = tl_scratch;
  for (int64_t t = t0; t < t1; ++t) {
    const int64_t b = t / G, g = t % G;
    Ahead ahead;
    ahead.n[0] = ahead.n[1] = Lk;
    ahead.n[2] = Lq;
    // the first head of the run fetches the second as well; every head the one after next
    for (int64_t n = t == t0 ? t + 1 : t + 2; n <= t + 2 && n < t1; ++n, ++ahead.heads) {
      const int64_t nb = n / G, ng = n % G;
      ahead.p[ahead.heads][0] = k + nb * Lk * H + ng * D;
      ahead.p[ahead.heads][1] = v + nb * Lk * H + ng * D;
      ahead.p[ahead.heads][2] = q + nb * Lq * H + ng * D;
    }
    with_count<8>(static_cast<int>(nv), [&](auto NV) {
      head<decltype(NV)::value>(q + b * Lq * H + g * D, k + b * Lk * H + g * D, v + b * Lk * H + g * D,
                                bias ? bias + b * Lk : nullptr, out + b * Lq * H + g * D, Lq, Lk, D, H, scale, ahead, w);
    });
  }
}

}  // namespace contrastive
