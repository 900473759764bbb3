// Elementwise kernels of the `native` backend (float32 buffers; TypeScript decides shapes):
//   unary(op, x, out, p0, p1)                       out[i] = f(x[i])  (p0, p1: alpha, clip bounds)
//   binary(op, a, b, out, shape, aStrides, bStrides) out = f(a, b) over a broadcast collapsed by
//       TypeScript to rank 1..6: shape[d] output dims, strides in elements (0 = broadcast); the
//       innermost stride pair is (1, 1), (1, 0) or (0, 1).
//   addN(xs[], out)                                 out = xs[0] + xs[1] + ... (same length)
// Each op is one tight loop (the switch on the op code sits outside the loops) compiled for
// AVX-512 / AVX2 / baseline; transcendentals come from vmath.h so those loops vectorize too.
// Work is split over the thread pool in contiguous chunks above kParallelMin output elements.
#include <algorithm>
#include <cmath>
#include <vector>

#include "napi_util.h"
#include "thread_pool.h"
#include "vmath.h"

namespace contrastive {
namespace {

// Below this many output elements one thread is faster than a fork-join.
constexpr int64_t kParallelMin = 32768;
constexpr int64_t kGrain = kParallelMin / 2;

// Codes shared with src/backend/addon.ts (UnaryOp, BinaryOp).
enum UnaryOp : int {
  kRelu = 0, kRelu6, kElu, kSigmoid, kExp, kLog, kLog1p, kSqrt, kRsqrt, kSquare, kNeg, kAbs, kTanh,
  kStep, kLeakyRelu, kReciprocal, kSoftplus, kClipByValue, kNumUnary
};
enum BinaryOp : int {
  kAdd = 0, kSub, kMul, kDiv, kMaximum, kMinimum, kSquaredDifference, kPrelu, kEluGrad, kNumBinary
};

template <typename F>
CONTRASTIVE_INLINE void map1(const float* __restrict x, float* __restrict y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

// The semantics follow tfjs's cpu kernels (NaN in -> NaN out, Math.max / Math.min propagate NaN).
CONTRASTIVE_CLONES
void unary_run(int op, const float* __restrict x, float* __restrict y, int64_t n, float p0, float p1) {
  // softplus thresholds of the cpu kernel: log(2^-23) + 2.
  constexpr float kSoftplusLo = -13.9423847f;
  switch (op) {
    case kRelu: map1(x, y, n, [](float v) { return v < 0.f ? 0.f : v; }); break;
    case kRelu6: map1(x, y, n, [](float v) { return v < 0.f ? 0.f : (v > 6.f ? 6.f : v); }); break;
    case kElu: map1(x, y, n, [](float v) { return v >= 0.f ? v : vmath::expm1(v); }); break;
    case kSigmoid: map1(x, y, n, [](float v) { return 1.f / (1.f + vmath::exp(-v)); }); break;
    case kExp: map1(x, y, n, [](float v) { return vmath::exp(v); }); break;
    case kLog: map1(x, y, n, [](float v) { return vmath::log(v); }); break;
    case kLog1p: map1(x, y, n, [](float v) { return vmath::log1p(v); }); break;
    case kSqrt: map1(x, y, n, [](float v) { return std::sqrt(v); }); break;
    case kRsqrt: map1(x, y, n, [](float v) { return 1.f / std::sqrt(v); }); break;
    case kSquare: map1(x, y, n, [](float v) { return v * v; }); break;
    case kNeg: map1(x, y, n, [](float v) { return -v; }); break;
    case kAbs: map1(x, y, n, [](float v) { return std::fabs(v); }); break;
    case kTanh: map1(x, y, n, [](float v) { return vmath::tanh(v); }); break;
    case kStep: map1(x, y, n, [p0](float v) { return v != v ? v : (v > 0.f ? 1.f : p0); }); break;
    case kLeakyRelu: map1(x, y, n, [p0](float v) { return v < 0.f ? p0 * v : v; }); break;
    case kReciprocal: map1(x, y, n, [](float v) { return 1.f / v; }); break;
    case kSoftplus:
      map1(x, y, n, [](float v) {
        const float e = vmath::exp(v);
        const float mid = vmath::log1p(e);
        return v < kSoftplusLo ? e : (v > -kSoftplusLo ? v : mid);
      });
      break;
    case kClipByValue: map1(x, y, n, [p0, p1](float v) { return v > p1 ? p1 : (v < p0 ? p0 : v); }); break;
    default: break;
  }
}

// One row of a broadcast binary op: a and b advance by sa, sb in {0, 1} (not both 0).
template <typename F>
CONTRASTIVE_INLINE void map2(const float* __restrict a, int sa, const float* __restrict b, int sb,
                             float* __restrict o, int64_t n, F f) {
  if (sa && sb) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
  } else if (sa) {
    const float bv = *b;
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
  } else {
    const float av = *a;
    for (int64_t i = 0; i < n; ++i) o[i] = f(av, b[i]);
  }
}

CONTRASTIVE_CLONES
void binary_row(int op, const float* __restrict a, int sa, const float* __restrict b, int sb, float* __restrict o,
                int64_t n) {
  switch (op) {
    case kAdd: map2(a, sa, b, sb, o, n, [](float u, float v) { return u + v; }); break;
    case kSub: map2(a, sa, b, sb, o, n, [](float u, float v) { return u - v; }); break;
    case kMul: map2(a, sa, b, sb, o, n, [](float u, float v) { return u * v; }); break;
    case kDiv: map2(a, sa, b, sb, o, n, [](float u, float v) { return u / v; }); break;
    case kMaximum: map2(a, sa, b, sb, o, n, [](float u, float v) { return u != u ? u : (u > v ? u : v); }); break;
    case kMinimum: map2(a, sa, b, sb, o, n, [](float u, float v) { return u != u ? u : (u < v ? u : v); }); break;
    case kSquaredDifference: map2(a, sa, b, sb, o, n, [](float u, float v) { const float d = u - v; return d * d; }); break;
    // a = x, b = alpha.
    case kPrelu: map2(a, sa, b, sb, o, n, [](float u, float v) { return u < 0.f ? v * u : u; }); break;
    // a = dy, b = y (the Elu output): dy where y >= 0, else dy * (y + 1).
    case kEluGrad: map2(a, sa, b, sb, o, n, [](float u, float v) { return v >= 0.f ? u : u * (v + 1.f); }); break;
    default: break;
  }
}

CONTRASTIVE_CLONES
void addn_run(const float* const* xs, int64_t k, float* __restrict out, int64_t n) {
  // Blocks that stay in L1 while every input is added in order (the cpu kernel's summation order).
  constexpr int64_t kBlock = 2048;
  for (int64_t b0 = 0; b0 < n; b0 += kBlock) {
    const int64_t len = std::min(kBlock, n - b0);
    float* __restrict o = out + b0;
    const float* __restrict x0 = xs[0] + b0;
    if (k == 1) {
      for (int64_t i = 0; i < len; ++i) o[i] = x0[i];
      continue;
    }
    const float* __restrict x1 = xs[1] + b0;
    for (int64_t i = 0; i < len; ++i) o[i] = x0[i] + x1[i];
    for (int64_t t = 2; t < k; ++t) {
      const float* __restrict xt = xs[t] + b0;
      for (int64_t i = 0; i < len; ++i) o[i] += xt[i];
    }
  }
}

// unary(op, x, out, p0, p1)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  const int op = static_cast<int>(num(info[0]));
  const float* x = f32(info[1]);
  float* out = f32(info[2]);
  const float p0 = static_cast<float>(dbl(info[3])), p1 = static_cast<float>(dbl(info[4]));
  const int64_t n = static_cast<int64_t>(std::min(f32_len(info[1]), f32_len(info[2])));
  if (op < 0 || op >= kNumUnary) return info.Env().Undefined();
  parallel_range(n, kGrain, [&](int64_t b, int64_t e, int) { unary_run(op, x + b, out + b, e - b, p0, p1); });
  return info.Env().Undefined();
}

// binary(op, a, b, out, shape, aStrides, bStrides)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  constexpr int kMaxRank = 6;
  const int op = static_cast<int>(num(info[0]));
  const float* a = f32(info[1]);
  const float* b = f32(info[2]);
  float* out = f32(info[3]);
  Napi::Array shapeArr = info[4].As<Napi::Array>(), asArr = info[5].As<Napi::Array>(), bsArr = info[6].As<Napi::Array>();
  const int rank = static_cast<int>(shapeArr.Length());
  if (op < 0 || op >= kNumBinary || rank < 1 || rank > kMaxRank) return info.Env().Undefined();
  int64_t shape[kMaxRank], as[kMaxRank], bs[kMaxRank];
  int64_t total = 1, alast = 0, blast = 0;  // alast, blast: offsets of the last elements read
  for (int d = 0; d < rank; ++d) {
    shape[d] = num(shapeArr.Get(d));
    as[d] = num(asArr.Get(d));
    bs[d] = num(bsArr.Get(d));
    if (shape[d] < 1 || as[d] < 0 || bs[d] < 0) return info.Env().Undefined();
    total *= shape[d];
    alast += (shape[d] - 1) * as[d];
    blast += (shape[d] - 1) * bs[d];
  }
  if (static_cast<size_t>(total) > f32_len(info[3]) || static_cast<size_t>(alast) >= f32_len(info[1]) ||
      static_cast<size_t>(blast) >= f32_len(info[2])) {
    return info.Env().Undefined();
  }
  const int inner = rank - 1;
  const int64_t L = shape[inner];
  const int sa = as[inner] != 0, sb = bs[inner] != 0;
  // Output elements [begin, end): walk the rows (innermost dim) with an odometer over the outer dims.
  parallel_range(total, kGrain, [&](int64_t begin, int64_t end, int) {
    int64_t idx[kMaxRank] = {0};
    int64_t row = begin / L, col = begin % L;
    int64_t ao = 0, bo = 0;
    for (int d = inner - 1; d >= 0; --d) {
      idx[d] = row % shape[d];
      row /= shape[d];
      ao += idx[d] * as[d];
      bo += idx[d] * bs[d];
    }
    for (int64_t pos = begin; pos < end;) {
      const int64_t len = std::min(L - col, end - pos);
      binary_row(op, a + ao + col * sa, sa, b + bo + col * sb, sb, out + pos, len);
      pos += len;
      col = 0;
      for (int d = inner - 1; d >= 0; --d) {  // next row
        ao += as[d];
        bo += bs[d];
        if (++idx[d] < shape[d]) break;
        ao -= as[d] * shape[d];
        bo -= bs[d] * shape[d];
        idx[d] = 0;
      }
    }
  });
  return info.Env().Undefined();
}

// addN(xs, out)
Napi::Value AddN(const Napi::CallbackInfo& info) {
  Napi::Array arr = info[0].As<Napi::Array>();
  float* out = f32(info[1]);
  const int64_t n = static_cast<int64_t>(f32_len(info[1]));
  std::vector<const float*> xs(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    Napi::Value v = arr.Get(i);
    if (f32_len(v) < static_cast<size_t>(n)) return info.Env().Undefined();
    xs[i] = f32(v);
  }
  if (xs.empty()) return info.Env().Undefined();
  const int64_t k = static_cast<int64_t>(xs.size());
  parallel_range(n, kGrain, [&](int64_t b, int64_t e, int) {
    std::vector<const float*> part(xs.size());
    for (size_t i = 0; i < xs.size(); ++i) part[i] = xs[i] + b;
    addn_run(part.data(), k, out + b, e - b);
  });
  return info.Env().Undefined();
}

}  // namespace

void init_elementwise(Napi::Env, Napi::Object exports) {
  CONTRASTIVE_EXPORT(exports, "unary", Unary);
  CONTRASTIVE_EXPORT(exports, "binary", Binary);
  CONTRASTIVE_EXPORT(exports, "addN", AddN);
}

}  // namespace contrastive
