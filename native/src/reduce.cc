// Reductions of the `native` backend. TypeScript views the input as x[A, R, B] (the reduced axes
// made contiguous, transposing first when they are not) and the addon reduces over R:
//   reduce(op, x, out, A, R, B)   out[A, B], op: 0 sum, 1 mean, 2 max, 3 min
//   argMax(x, out, A, R, B)       out[A, B] int32: first index of the maximum over R
// B == 1 reduces contiguous rows; B > 1 reduces columns in blocks of kColBlock without any
// transpose (vectorized across B), e.g. the bias gradient sum over the batch axis of [N, C].
//
// Sum and mean accumulate in double. Error bound: for n addends the computed double sum differs
// from the exact one by at most (n - 1) * 2^-53 * sum|x_i| (~1.1e-10 * sum|x_i| for n = 1e6, far
// below the final rounding to float32, 2^-24 relative), so results match tfjs's cpu kernel (which
// also sums in double) to about one float32 ulp whatever the summation order; mean divides the
// double sum by R (the cpu kernel divides each element first; the difference is <= 2^-24 *
// sum|x_i| / R). Max and min propagate NaN like the cpu kernels; argMax ignores NaN after the first
// element, keeps the first index on ties and returns 0 when x[0] is NaN, exactly as cpu's loop.
#include <algorithm>
#include <vector>

#include "napi_util.h"
#include "thread_pool.h"
#include "vmath.h"

namespace contrastive {
namespace {

constexpr int64_t kParallelMin = 32768;  // elements read: below this, one thread
constexpr int64_t kColBlock = 256;       // columns reduced together (accumulators stay in L1)

enum ReduceOp : int { kSum = 0, kMean, kMax, kMin };

// ---- contiguous rows: out[a] = reduce x[a * R .. a * R + R) for a < rows ------------------------

// Rows shorter than this are reduced kRowBlock at a time, one independent accumulator per row
// (a per-row vector reduction would cost more in setup than in adds).
constexpr int64_t kShortRow = 64;
constexpr int kRowBlock = 16;

CONTRASTIVE_INLINE double sum_contig(const float* __restrict x, int64_t n) {
  constexpr int W = 32;  // independent double lanes: hides the add latency, vectorizes by 8 or 4
  double acc[W] = {0};
  int64_t i = 0;
  for (; i + W <= n; i += W)
    for (int k = 0; k < W; ++k) acc[k] += static_cast<double>(x[i + k]);
  for (int w = W / 2; w >= 1; w /= 2)
    for (int k = 0; k < w; ++k) acc[k] += acc[k + w];
  double s = acc[0];
  for (; i < n; ++i) s += static_cast<double>(x[i]);
  return s;
}

CONTRASTIVE_CLONES
void sum_rows(const float* __restrict x, int64_t rows, int64_t R, double* __restrict out) {
  int64_t a = 0;
  if (R < kShortRow) {
    for (; a + kRowBlock <= rows; a += kRowBlock) {
      const float* __restrict xa = x + a * R;
      double s[kRowBlock] = {0};
      for (int64_t j = 0; j < R; ++j)
        for (int k = 0; k < kRowBlock; ++k) s[k] += static_cast<double>(xa[k * R + j]);
      for (int k = 0; k < kRowBlock; ++k) out[a + k] = s[k];
    }
  }
  for (; a < rows; ++a) out[a] = sum_contig(x + a * R, R);
}

// m <- v when v is larger (smaller) or NaN: once NaN, the running value stays NaN.
CONTRASTIVE_INLINE float take_max(float m, float v) { return (v > m || v != v) ? v : m; }
CONTRASTIVE_INLINE float take_min(float m, float v) { return (v < m || v != v) ? v : m; }

template <bool kMin>
CONTRASTIVE_INLINE float take(float m, float v) { return kMin ? take_min(m, v) : take_max(m, v); }

template <bool kMin>
CONTRASTIVE_INLINE float minmax_contig(const float* __restrict x, int64_t n) {
  constexpr int W = 32;
  float acc[W];
  for (int k = 0; k < W; ++k) acc[k] = x[0];
  int64_t i = 0;
  for (; i + W <= n; i += W)
    for (int k = 0; k < W; ++k) acc[k] = take<kMin>(acc[k], x[i + k]);
  float m = acc[0];
  for (int k = 1; k < W; ++k) m = take<kMin>(m, acc[k]);
  for (; i < n; ++i) m = take<kMin>(m, x[i]);
  return m;
}

template <bool kMin>
CONTRASTIVE_INLINE void minmax_rows_impl(const float* __restrict x, int64_t rows, int64_t R, float* __restrict out) {
  int64_t a = 0;
  if (R < kShortRow) {
    for (; a + kRowBlock <= rows; a += kRowBlock) {
      const float* __restrict xa = x + a * R;
      float m[kRowBlock];
      for (int k = 0; k < kRowBlock; ++k) m[k] = xa[k * R];
      for (int64_t j = 1; j < R; ++j)
        for (int k = 0; k < kRowBlock; ++k) m[k] = take<kMin>(m[k], xa[k * R + j]);
      for (int k = 0; k < kRowBlock; ++k) out[a + k] = m[k];
    }
  }
  for (; a < rows; ++a) out[a] = minmax_contig<kMin>(x + a * R, R);
}

CONTRASTIVE_CLONES
void minmax_rows(const float* __restrict x, int64_t rows, int64_t R, float* __restrict out, int is_min) {
  if (is_min) minmax_rows_impl<true>(x, rows, R, out);
  else minmax_rows_impl<false>(x, rows, R, out);
}

// ---- column blocks: acc[j] (op)= x[r * stride + j] for r < rows, j < len --------------------

CONTRASTIVE_CLONES
void sum_cols(const float* __restrict x, int64_t rows, int64_t stride, int64_t len, double* __restrict acc) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict xr = x + r * stride;
    for (int64_t j = 0; j < len; ++j) acc[j] += static_cast<double>(xr[j]);
  }
}

CONTRASTIVE_CLONES
void minmax_cols(const float* __restrict x, int64_t rows, int64_t stride, int64_t len, float* __restrict acc, int is_min) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict xr = x + r * stride;
    if (is_min) {
      for (int64_t j = 0; j < len; ++j) acc[j] = take_min(acc[j], xr[j]);
    } else {
      for (int64_t j = 0; j < len; ++j) acc[j] = take_max(acc[j], xr[j]);
    }
  }
}

CONTRASTIVE_CLONES
void argmax_cols(const float* __restrict x, int64_t rows, int64_t stride, int64_t len, float* __restrict m,
                 int32_t* __restrict idx) {
  for (int64_t j = 0; j < len; ++j) {
    m[j] = x[j];
    idx[j] = 0;
  }
  for (int64_t r = 1; r < rows; ++r) {
    const float* __restrict xr = x + r * stride;
    const int32_t ri = static_cast<int32_t>(r);
    for (int64_t j = 0; j < len; ++j) {
      const bool g = xr[j] > m[j];
      m[j] = g ? xr[j] : m[j];
      idx[j] = g ? ri : idx[j];
    }
  }
}

// ---- the [A, R, B] driver --------------------------------------------------------------------

// Sum and mean: accumulators are doubles.
struct SumOps {
  using Acc = double;
  double scale;  // 1 for sum, 1 / R for mean
  void rows(const float* x, int64_t count, int64_t R, double* acc) const { sum_rows(x, count, R, acc); }
  void cols(const float* x, int64_t rows, int64_t stride, int64_t len, double* acc) const {
    std::fill(acc, acc + len, 0.0);
    sum_cols(x, rows, stride, len, acc);
  }
  double combine(double a, double b) const { return a + b; }
  float finish(double a) const { return static_cast<float>(a * scale); }
};

struct MinMaxOps {
  using Acc = float;
  int is_min;
  void rows(const float* x, int64_t count, int64_t R, float* acc) const { minmax_rows(x, count, R, acc, is_min); }
  void cols(const float* x, int64_t rows, int64_t stride, int64_t len, float* acc) const {
    std::copy(x, x + len, acc);  // rows >= 1
    minmax_cols(x + stride, rows - 1, stride, len, acc, is_min);
  }
  float combine(float a, float b) const { return is_min ? take_min(a, b) : take_max(a, b); }
  float finish(float a) const { return a; }
};

// out[a, b] = reduce_r x[a, r, b]. Work items are (a, column block); when there are fewer items
// than threads (e.g. one long row, or a sum over the batch of a narrow [N, C]) R is split into one
// chunk per thread too, with partial results combined in chunk order (deterministic).
template <class Ops>
void reduce_abr(const float* x, float* out, int64_t A, int64_t R, int64_t B, const Ops& ops) {
  using Acc = typename Ops::Acc;
  const int64_t total = A * R * B;
  const int T = total >= kParallelMin ? num_threads() : 1;
  const int64_t nb = (B + kColBlock - 1) / kColBlock;
  const int64_t items = A * nb;
  const int64_t rsplit = items < T ? std::min<int64_t>(T, R) : 1;
  // Reduces rows [r0, r1) of item `it` into acc (len values, len = 1 when B == 1).
  auto run_item = [&](int64_t it, int64_t r0, int64_t r1, Acc* acc) -> int64_t {
    const int64_t a = it / nb, j0 = (it % nb) * kColBlock;
    const float* base = x + (a * R + r0) * B + j0;
    if (B == 1) {
      ops.rows(base, 1, r1 - r0, acc);
      return 1;
    }
    const int64_t len = std::min(kColBlock, B - j0);
    ops.cols(base, r1 - r0, B, len, acc);
    return len;
  };
  auto out_at = [&](int64_t it) { return (it / nb) * B + (it % nb) * kColBlock; };
  if (rsplit == 1 && B == 1) {
    // Rows: batches of kColBlock rows reduced by one call, then finished.
    const int64_t grain = T == 1 ? A : std::max<int64_t>(1, kParallelMin / 2 / R);
    parallel_range(A, grain, [&](int64_t a0, int64_t a1, int) {
      Acc acc[kColBlock];
      for (int64_t a = a0; a < a1; a += kColBlock) {
        const int64_t n = std::min(kColBlock, a1 - a);
        ops.rows(x + a * R, n, R, acc);
        for (int64_t i = 0; i < n; ++i) out[a + i] = ops.finish(acc[i]);
      }
    });
    return;
  }
  if (rsplit == 1) {
    const int64_t per_item = R * std::min(B, kColBlock);
    const int64_t grain = T == 1 ? items : std::max<int64_t>(1, kParallelMin / 2 / std::max<int64_t>(1, per_item));
    parallel_range(items, grain, [&](int64_t i0, int64_t i1, int) {
      Acc acc[kColBlock];
      for (int64_t it = i0; it < i1; ++it) {
        const int64_t len = run_item(it, 0, R, acc);
        float* o = out + out_at(it);
        for (int64_t j = 0; j < len; ++j) o[j] = ops.finish(acc[j]);
      }
    });
    return;
  }
  // Partial results [rsplit][A * B], then combined in order.
  const int64_t outN = A * B;
  std::vector<Acc> part(static_cast<size_t>(rsplit * outN));
  parallel_for(items * rsplit, [&](int64_t task, int) {
    const int64_t it = task / rsplit, c = task % rsplit;
    const int64_t r0 = R * c / rsplit, r1 = R * (c + 1) / rsplit;
    Acc acc[kColBlock];
    const int64_t len = run_item(it, r0, r1, acc);
    std::copy(acc, acc + len, part.data() + c * outN + out_at(it));
  });
  for (int64_t i = 0; i < outN; ++i) {
    Acc v = part[i];
    for (int64_t c = 1; c < rsplit; ++c) v = ops.combine(v, part[c * outN + i]);
    out[i] = ops.finish(v);
  }
}

void argmax_abr(const float* x, int32_t* out, int64_t A, int64_t R, int64_t B) {
  const int64_t total = A * R * B;
  if (B == 1) {
    const int64_t grain = total >= kParallelMin ? std::max<int64_t>(1, kParallelMin / 2 / R) : A;
    parallel_range(A, grain, [&](int64_t a0, int64_t a1, int) {
      for (int64_t a = a0; a < a1; ++a) {
        const float* xa = x + a * R;
        float m = xa[0];
        int32_t best = 0;
        for (int64_t r = 1; r < R; ++r) {
          if (xa[r] > m) {
            m = xa[r];
            best = static_cast<int32_t>(r);
          }
        }
        out[a] = best;
      }
    });
    return;
  }
  const int64_t nb = (B + kColBlock - 1) / kColBlock;
  const int64_t items = A * nb;
  const int64_t grain = total >= kParallelMin ? std::max<int64_t>(1, kParallelMin / 2 / (R * std::min(B, kColBlock))) : items;
  parallel_range(items, grain, [&](int64_t i0, int64_t i1, int) {
    float m[kColBlock];
    for (int64_t it = i0; it < i1; ++it) {
      const int64_t a = it / nb, j0 = (it % nb) * kColBlock;
      argmax_cols(x + a * R * B + j0, R, B, std::min(kColBlock, B - j0), m, out + a * B + j0);
    }
  });
}

// Guards against memory errors only (TypeScript checks the shapes).
bool valid_abr(size_t xlen, size_t outlen, int64_t A, int64_t R, int64_t B) {
  return A >= 0 && R >= 1 && B >= 1 && static_cast<size_t>(A * R * B) <= xlen && static_cast<size_t>(A * B) <= outlen;
}

// reduce(op, x, out, A, R, B)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const int op = static_cast<int>(num(info[0]));
  const float* x = f32(info[1]);
  float* out = f32(info[2]);
  const int64_t A = num(info[3]), R = num(info[4]), B = num(info[5]);
  if (!valid_abr(f32_len(info[1]), f32_len(info[2]), A, R, B) || A == 0) return info.Env().Undefined();
  switch (op) {
    case kSum: reduce_abr(x, out, A, R, B, SumOps{1.0}); break;
    case kMean: reduce_abr(x, out, A, R, B, SumOps{1.0 / static_cast<double>(R)}); break;
    case kMax: reduce_abr(x, out, A, R, B, MinMaxOps{0}); break;
    case kMin: reduce_abr(x, out, A, R, B, MinMaxOps{1}); break;
    default: break;
  }
  return info.Env().Undefined();
}

// argMax(x, out, A, R, B)
Napi::Value ArgMax(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  Napi::TypedArrayOf<int32_t> outArr = info[1].As<Napi::TypedArrayOf<int32_t>>();
  const int64_t A = num(info[2]), R = num(info[3]), B = num(info[4]);
  if (!valid_abr(f32_len(info[0]), outArr.ElementLength(), A, R, B) || A == 0) return info.Env().Undefined();
  argmax_abr(x, outArr.Data(), A, R, B);
  return info.Env().Undefined();
}

}  // namespace

void init_reduce(Napi::Env, Napi::Object exports) {
  CONTRASTIVE_EXPORT(exports, "reduce", Reduce);
  CONTRASTIVE_EXPORT(exports, "argMax", ArgMax);
}

}  // namespace contrastive
