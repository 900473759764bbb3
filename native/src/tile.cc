// Tile: out[i_0, ..., i_{r-1}] = x[i_0 mod d_0, ..., i_{r-1} mod d_{r-1}], out dims d_k * reps_k.
// Each output row (last axis) is the matching input row repeated reps_{r-1} times; rows are
// independent, so they are split over the threads.
#include <cstring>
#include <vector>

#include "napi_util.h"
#include "thread_pool.h"

namespace contrastive {
namespace {

// tile(x, out, shape: Int32Array, reps: Int32Array)
Napi::Value Tile(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  float* out = f32(info[1]);
  auto shape_arr = info[2].As<Napi::TypedArrayOf<int32_t>>();
  auto reps_arr = info[3].As<Napi::TypedArrayOf<int32_t>>();
  const int rank = static_cast<int>(shape_arr.ElementLength());
  std::vector<int64_t> d(rank), od(rank);
  for (int k = 0; k < rank; ++k) {
    d[k] = shape_arr[k];
    od[k] = d[k] * reps_arr[k];
  }
  const int64_t last = d[rank - 1], olast = od[rank - 1];
  int64_t rows = 1;
  for (int k = 0; k < rank - 1; ++k) rows *= od[k];
  if (rows == 0 || olast == 0) return info.Env().Undefined();
  auto do_rows = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      // Input row of output row r: each outer coordinate modulo the input dim.
      int64_t rem = r, src = 0, stride = 1;
      for (int k = rank - 2; k >= 0; --k) {
        const int64_t c = rem % od[k];
        rem /= od[k];
        src += (c % d[k]) * stride;
        stride *= d[k];
      }
      const float* xr = x + src * last;
      float* o = out + r * olast;
      for (int64_t j = 0; j < olast; j += last) std::memcpy(o + j, xr, last * sizeof(float));
    }
  };
  if (rows * olast < 65536) {
    do_rows(0, rows);
  } else {
    parallel_range(rows, std::max<int64_t>(1, 16384 / olast), [&](int64_t b, int64_t e, int) { do_rows(b, e); });
  }
  return info.Env().Undefined();
}

}  // namespace

void init_tile(Napi::Env, Napi::Object exports) { CONTRASTIVE_EXPORT(exports, "tile", Tile); }

}  // namespace contrastive
