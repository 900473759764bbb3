// One Adam / AdamW step of one variable in one pass (Kingma & Ba 2015, arXiv:1412.6980; the
// decoupled decay of Loshchilov & Hutter 2019, arXiv:1711.05101), instead of tfjs's ~12
// elementwise kernels, each reading and writing a whole tensor:
//
//   p0 = p * keep                          keep = 1 - lr * weightDecay (1: no decay)
//   m' = m * b1 + g * (1 - b1)
//   v' = v * b2 + (g * g) * (1 - b2)
//   p' = p0 + ((m' / c1) / (sqrt(v' / c2) + eps)) * (-lr)     c1 = 1 - b1^t, c2 = 1 - b2^t
//
// Every operation is one float32 operation in tfjs's order (AdamOptimizer.applyGradients and the
// decay of src/train/adam.ts), with the constants rounded to float32 by the caller, and no
// contraction into FMA (the pragma below): the result equals the tfjs ops bit for bit. Division
// and sqrt stay (not a reciprocal): the loop is bound by memory traffic (4 streams in, 3 out).
#pragma GCC optimize("fp-contract=off")

#include <cmath>
#include <cstring>

#include "napi_util.h"
#include "thread_pool.h"
#include "vmath.h"

namespace contrastive {
namespace {

constexpr int64_t kGrain = 32768;

struct AdamCoefs {
  float b1, omb1, b2, omb2, c1, c2, eps, nlr, keep;
};

// Each output is either its input itself (po == p: that array updated in place) or an array of its
// own. A chunk of every input is read and its results computed into local arrays (which alias
// nothing, so the loop vectorizes without overlap checks), then the chunk is stored.
constexpr int64_t kChunk = 512;

CONTRASTIVE_CLONES
void adam_span(const float* p, const float* g, const float* m, const float* v, float* po, float* mo, float* vo, int64_t n, AdamCoefs c) {
  alignas(64) float P[kChunk], M[kChunk], V[kChunk];
  for (int64_t b = 0; b < n; b += kChunk) {
    const int64_t k = n - b < kChunk ? n - b : kChunk;
    const float *pb = p + b, *gb = g + b, *mb = m + b, *vb = v + b;
    for (int64_t i = 0; i < k; ++i) {
      const float gi = gb[i];
      const float p0 = pb[i] * c.keep;
      const float m1 = mb[i] * c.b1 + gi * c.omb1;
      const float v1 = vb[i] * c.b2 + (gi * gi) * c.omb2;
      const float mh = m1 / c.c1, vh = v1 / c.c2;
      P[i] = p0 + (mh / (std::sqrt(vh) + c.eps)) * c.nlr;
      M[i] = m1;
      V[i] = v1;
    }
    std::memcpy(po + b, P, static_cast<size_t>(k) * sizeof(float));
    std::memcpy(mo + b, M, static_cast<size_t>(k) * sizeof(float));
    std::memcpy(vo + b, V, static_cast<size_t>(k) * sizeof(float));
  }
}

// adamUpdate(p, g, m, v, pOut, mOut, vOut, coefs): coefs = Float32Array [b1, 1 - b1, b2, 1 - b2,
// c1, c2, eps, -lr, keep]. Each of pOut, mOut, vOut is either p, m, v itself (in place) or an array
// that overlaps no other; TypeScript checks the lengths.
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  const float* p = f32(info[0]);
  const float* g = f32(info[1]);
  const float* m = f32(info[2]);
  const float* v = f32(info[3]);
  float* po = f32(info[4]);
  float* mo = f32(info[5]);
  float* vo = f32(info[6]);
  const float* k = f32(info[7]);
  const AdamCoefs c{k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8]};
  const int64_t n = static_cast<int64_t>(f32_len(info[0]));
  parallel_range(n, kGrain, [&](int64_t b, int64_t e, int) { adam_span(p + b, g + b, m + b, v + b, po + b, mo + b, vo + b, e - b, c); });
  return info.Env().Undefined();
}

}  // namespace

void init_adam(Napi::Env, Napi::Object exports) { CONTRASTIVE_EXPORT(exports, "adamUpdate", AdamUpdate); }

}  // namespace contrastive
