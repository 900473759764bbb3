// Attention per (batch element, head) for short sequences, AVX-512 only (attention_short_avx512.cc):
//   out = softmax(Q K^T * scale + bias) V,  Q [Lq, D], K and V [Lk, D], out [Lq, D], every row of
//   the four at stride ld (the head's columns of [B, L, heads * D] tensors), bias [Lk] or null.
// For head widths 32 and 64 and at most 128 keys: K is transposed into a per-thread panel
// [D, Lk rounded up to 16], the scores of a few query rows against all keys are register tiles
// that become exponentials in place (the masked softmax of masked_softmax_row.h: max skipping NaN,
// row all NaN when the max or the sum is not finite), written for 12 rows at a time ([12, Lk], in
// L1) and multiplied by V in 12 x 32 / 6 x 64 register tiles; each row is scaled by 1 / its sum.
// attention_fused.cc runs it when the AVX-512 GEMM kernel is the active one and the shape fits.
#pragma once
#include <cstdint>

namespace contrastive {

constexpr int64_t kShortAttentionMaxKeys = 128;
inline bool short_attention_fits(int64_t Lk, int64_t D) { return (D == 32 || D == 64) && Lk >= 1 && Lk <= kShortAttentionMaxKeys; }

// The heads t in [t0, t1) of q [B, Lq, G * D], k and v [B, Lk, G * D], bias [B, Lk] or null, out
// [B, Lq, G * D], head t = (b, g) = (t / G, t % G), in order, each prefetching the next one's rows.
// Defined on x64 builds only (compiled with -mavx512f); call it only where avx512f is supported.
void attention_heads_short_avx512(const float* q, const float* k, const float* v, const float* bias, float* out,
                                  int64_t G, int64_t Lq, int64_t Lk, int64_t D, float scale, int64_t t0, int64_t t1);

}  // namespace contrastive
