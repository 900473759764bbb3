// Multi-head attention forward in one kernel, for inference (no gradient kept): for every batch
// element b and head g, with X_bg the columns g * D .. (g + 1) * D of x[b] ([B, L, heads * D]),
//   S = Q_bg K_bg^T [Lq, Lk];  P = softmax(S * scale + bias[b]) row by row;  C_bg = P V_bg [Lq, D]
// S and P live in a per-thread buffer ([Lq, Lk], 16 KB at L = 64) that stays in L1/L2 between the
// three steps, instead of two [B, heads, Lq, Lk] tensors written and read back by three kernels
// (HeadScores, MaskedSoftmax, HeadContext, which training still uses: it needs P for the gradient).
// The softmax row is masked_softmax_row.h, as in attention_softmax.cc.
// When the caller allows it, the AVX-512 GEMM kernel is the active one and the head fits (D 32 or
// 64, at most 128 keys: MiniLM / BERT-base on short texts), each head runs instead the
// register-blocked short-sequence kernel of attention_short_avx512.cc; this generic path stays
// for every other shape and machine.
#include <algorithm>
#include <cstring>
#include <vector>

#include "attention_short.h"
#include "gemm.h"
#include "masked_softmax_row.h"
#include "napi_util.h"
#include "thread_pool.h"

namespace contrastive {
namespace {

// attentionFused(q, k, v, bias|null, out, B, G, Lq, Lk, D, scale, allowShort)
//   q [B, Lq, G * D], k and v [B, Lk, G * D], bias [B, Lk] (additive, per key), out [B, Lq, G * D].
//   allowShort (optional, default true): false forces the generic path.
Napi::Value AttentionFused(const Napi::CallbackInfo& info) {
  const float* q = f32(info[0]);
  const float* k = f32(info[1]);
  const float* v = f32(info[2]);
  const float* bias = f32_or_null(info[3]);
  float* out = f32(info[4]);
  const int64_t B = num(info[5]), G = num(info[6]), Lq = num(info[7]), Lk = num(info[8]), D = num(info[9]);
  const float scale = static_cast<float>(dbl(info[10]));
  const int64_t H = G * D;
  if (B == 0 || G == 0 || Lq == 0 || D == 0) return info.Env().Undefined();
  if (Lk == 0) {  // no keys: an empty weighted sum
    std::fill(out, out + B * Lq * H, 0.f);
    return info.Env().Undefined();
  }
  const bool allow_short = info.Length() <= 11 || info[11].IsUndefined() || info[11].ToBoolean().Value();
#if defined(CONTRASTIVE_X64)
  if (allow_short && short_attention_fits(Lk, D) && std::strcmp(active_kernel().name, "avx512") == 0) {
    // runs of consecutive heads, so that each head can prefetch the next; about 8 runs a thread
    // (taken dynamically), at most 16 heads a run
    const int64_t n = B * G, run = std::max<int64_t>(1, std::min<int64_t>(16, n / (8 * num_threads())));
    parallel_for((n + run - 1) / run, [&](int64_t c, int) {
      attention_heads_short_avx512(q, k, v, bias, out, G, Lq, Lk, D, scale, c * run, std::min(n, (c + 1) * run));
    });
    return info.Env().Undefined();
  }
#else
  (void)allow_short;
#endif
  const Epilogue none;
  parallel_for(B * G, [&](int64_t t, int) {
    thread_local std::vector<float> sbuf;
    sbuf.resize(static_cast<size_t>(Lq * Lk));
    float* S = sbuf.data();
    const int64_t b = t / G, g = t % G;
    const float* qb = q + b * Lq * H + g * D;
    const float* kb = k + b * Lk * H + g * D;
    const float* vb = v + b * Lk * H + g * D;
    // S = Q K^T, then P V into the head's columns of out
    sgemm_strided(Lq, Lk, D, Strided{qb, H, 1}, Strided{kb, 1, H}, S, Lk, false, none, false);
    const float* brow = bias ? bias + b * Lk : nullptr;
    for (int64_t i = 0; i < Lq; ++i) masked_softmax_row(S + i * Lk, brow, S + i * Lk, Lk, scale);
    sgemm_strided(Lq, D, Lk, Strided{S, Lk, 1}, Strided{vb, H, 1}, out + b * Lq * H + g * D, H, false, none, false);
  });
  return info.Env().Undefined();
}

}  // namespace

void init_attention_fused(Napi::Env, Napi::Object exports) { CONTRASTIVE_EXPORT(exports, "attentionFused", AttentionFused); }

}  // namespace contrastive
