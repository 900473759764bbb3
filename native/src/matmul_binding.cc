// matmul(a, b, out, batchA, batchB, M, N, K, transposeA, transposeB, bias|null, act, alpha, prelu|null)
//   a: [batchA, M, K] (or [batchA, K, M] when transposeA), b: [batchB, K, N] (or [batchB, N, K]),
//   out: [max(batchA, batchB), M, N]; batchA and batchB are equal or one of them is 1 (broadcast).
#include <algorithm>

#include "gemm.h"
#include "napi_util.h"
#include "thread_pool.h"

namespace contrastive {
namespace {

Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const float* a = f32(info[0]);
  const float* b = f32(info[1]);
  float* out = f32(info[2]);
  const int64_t batchA = num(info[3]), batchB = num(info[4]), M = num(info[5]), N = num(info[6]), K = num(info[7]);
  const bool ta = flag(info[8]), tb = flag(info[9]);
  Epilogue epi;
  epi.bias = f32_or_null(info[10]);
  epi.act = static_cast<Act>(num(info[11]));
  epi.alpha = static_cast<float>(dbl(info[12]));
  epi.prelu = f32_or_null(info[13]);
  // An empty batch on either side gives an empty output (TypeScript allocates none).
  const int64_t batch = (batchA == 0 || batchB == 0) ? 0 : std::max(batchA, batchB);
  const int64_t sa = batchA == 1 ? 0 : M * K, sb = batchB == 1 ? 0 : K * N;
  auto one = [&](int64_t i, bool parallel) {
    Strided A = ta ? Strided{a + i * sa, 1, M} : Strided{a + i * sa, K, 1};
    Strided B = tb ? Strided{b + i * sb, 1, K} : Strided{b + i * sb, N, 1};
    sgemm_strided(M, N, K, A, B, out + i * M * N, N, false, epi, parallel);
  };
  const double flops = 2.0 * M * N * K;
  if (batch > 1 && flops < 4e6) {
    parallel_for(batch, [&](int64_t i, int) { one(i, false); });
  } else {
    for (int64_t i = 0; i < batch; ++i) one(i, true);
  }
  return info.Env().Undefined();
}

}  // namespace

void init_gemm(Napi::Env env, Napi::Object exports) { CONTRASTIVE_EXPORT(exports, "matmul", MatMul); }

}  // namespace contrastive
