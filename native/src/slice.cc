// Slice of a float32 tensor as contiguous runs: the trailing axes that the slice keeps whole
// (and the first one it cuts) form one run, copied with memcpy; the outer positions are walked
// with a counter. tfjs's cpu Slice copies element by element through TensorBuffer.get/set when
// the slice is not one contiguous block (SplitV along an inner axis, e.g. USE-lite's attention).
#include <algorithm>
#include <cstring>
#include <vector>

#include "napi_util.h"
#include "thread_pool.h"

namespace contrastive {
namespace {

// slice(x, out, shape: Int32Array, begin: Int32Array, size: Int32Array); rank <= 8.
Napi::Value Slice(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  float* out = f32(info[1]);
  auto shape_a = info[2].As<Napi::TypedArrayOf<int32_t>>();
  const int32_t* shape = shape_a.Data();
  const int32_t* begin = i32(info[3]);
  const int32_t* size = i32(info[4]);
  const int rank = static_cast<int>(shape_a.ElementLength());
  int64_t total = 1;
  for (int d = 0; d < rank; ++d) total *= size[d];
  if (total == 0) return info.Env().Undefined();
  // Strides of x; the run: the innermost axes kept whole, plus the next (cut) axis.
  std::vector<int64_t> stride(rank, 1);
  for (int d = rank - 2; d >= 0; --d) stride[d] = stride[d + 1] * shape[d + 1];
  int inner = rank;  // axes [inner, rank) are whole
  while (inner > 0 && begin[inner - 1] == 0 && size[inner - 1] == shape[inner - 1]) --inner;
  if (inner == 0) inner = 1;  // all whole: one run (TypeScript sends contiguous slices to the cpu kernel)
  const int outer_rank = inner - 1;  // axes [0, outer_rank) are walked
  const int64_t run = size[inner - 1] * stride[inner - 1];
  int64_t base = 0;
  for (int d = 0; d < rank; ++d) base += begin[d] * stride[d];
  const int64_t runs = total / run;
  auto copy = [&](int64_t r0, int64_t r1) {
    // Position of run r0 in the outer axes.
    int64_t idx[8] = {0};
    int64_t rem = r0;
    for (int d = outer_rank - 1; d >= 0; --d) { idx[d] = rem % size[d]; rem /= size[d]; }
    for (int64_t r = r0; r < r1; ++r) {
      int64_t off = base;
      for (int d = 0; d < outer_rank; ++d) off += idx[d] * stride[d];
      std::memcpy(out + r * run, x + off, run * sizeof(float));
      for (int d = outer_rank - 1; d >= 0; --d) {
        if (++idx[d] < size[d]) break;
        idx[d] = 0;
      }
    }
  };
  parallel_range(runs, std::max<int64_t>(1, 65536 / run), [&](int64_t r0, int64_t r1, int) { copy(r0, r1); });
  return info.Env().Undefined();
}

}  // namespace

void init_slice(Napi::Env, Napi::Object exports) { CONTRASTIVE_EXPORT(exports, "slice", Slice); }

}  // namespace contrastive
