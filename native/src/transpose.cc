// Transpose of a float32 tensor of rank <= 6 (tfjs kernel Transpose): out[i_0..i_r-1] =
// x[i at perm], out shape[k] = x shape[perm[k]]. TypeScript first drops size-1 axes and merges
// axes that stay adjacent, so a 2-D transpose, NHWC <-> NCHW ([N, HW, C] <-> [N, C, HW]) and
// the like arrive as their smallest form. Two cases remain:
//   - the innermost axis stays innermost (perm[r-1] == r-1): contiguous row copies;
//   - otherwise: a 2-D transpose between the output's last axis and the output axis that holds
//     the input's innermost axis, done in cache-sized tiles (32x32, 8x8 register blocks), for
//     every index of the remaining (outer) axes.
#include <algorithm>
#include <cstring>

#include "napi_util.h"
#include "thread_pool.h"

#ifndef CONTRASTIVE_CLONES
#if defined(CONTRASTIVE_X64) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define CONTRASTIVE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CONTRASTIVE_CLONES
#endif
#endif

namespace contrastive {
namespace {

constexpr int kMaxRank = 6;
constexpr int64_t kGrain = 32768;
constexpr int64_t kTile = 32;

// An index space over up to kMaxRank axes walked in row-major order, with an input and an output
// stride per axis: decodes a flat index into (input offset, output offset).
struct Outer {
  int rank = 0;
  int64_t dim[kMaxRank] = {}, sin[kMaxRank] = {}, sout[kMaxRank] = {};
  int64_t size() const {
    int64_t n = 1;
    for (int k = 0; k < rank; ++k) n *= dim[k];
    return n;
  }
  void offsets(int64_t flat, int64_t& in, int64_t& out) const {
    in = 0, out = 0;
    for (int k = rank - 1; k >= 0; --k) {
      const int64_t i = flat % dim[k];
      flat /= dim[k];
      in += i * sin[k];
      out += i * sout[k];
    }
  }
};

// out[i * ldo + j] = in[i + j * ldi] for i < ni, j < nj (a tile of an out = in^T transpose).
CONTRASTIVE_CLONES
void tile_transpose(const float* __restrict in, float* __restrict out, int64_t ni, int64_t nj, int64_t ldi, int64_t ldo) {
  if (ni == 8 && nj == 8) {
    // Fixed-size block: the compiler keeps it in registers.
    for (int64_t i = 0; i < 8; ++i)
      for (int64_t j = 0; j < 8; ++j) out[i * ldo + j] = in[i + j * ldi];
    return;
  }
  for (int64_t i = 0; i < ni; ++i)
    for (int64_t j = 0; j < nj; ++j) out[i * ldo + j] = in[i + j * ldi];
}

// Transposes an ni x nj block (out[i * ldo + j] = in[i + j * ldi]) in kTile tiles of 8x8 blocks.
void block_transpose(const float* in, float* out, int64_t ni, int64_t nj, int64_t ldi, int64_t ldo) {
  for (int64_t i0 = 0; i0 < ni; i0 += kTile) {
    const int64_t ti = std::min(kTile, ni - i0);
    for (int64_t j0 = 0; j0 < nj; j0 += kTile) {
      const int64_t tj = std::min(kTile, nj - j0);
      for (int64_t i1 = 0; i1 < ti; i1 += 8) {
        for (int64_t j1 = 0; j1 < tj; j1 += 8) {
          const int64_t i = i0 + i1, j = j0 + j1;
          tile_transpose(in + i + j * ldi, out + i * ldo + j, std::min<int64_t>(8, ti - i1), std::min<int64_t>(8, tj - j1), ldi, ldo);
        }
      }
    }
  }
}

// transpose(x, out, shape: Int32Array, perm: Int32Array); x has `shape`, out has shape[perm].
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  float* out = f32(info[1]);
  const auto shapeArr = info[2].As<Napi::TypedArrayOf<int32_t>>();
  const int32_t* perm = i32(info[3]);
  const int r = static_cast<int>(shapeArr.ElementLength());
  if (r > kMaxRank) return info.Env().Undefined();
  int64_t shape[kMaxRank], inStride[kMaxRank], outShape[kMaxRank], outStride[kMaxRank];
  int64_t total = 1;
  for (int k = 0; k < r; ++k) total *= (shape[k] = shapeArr[k]);
  if (total == 0) return info.Env().Undefined();
  if (r == 0) {
    out[0] = x[0];
    return info.Env().Undefined();
  }
  for (int64_t k = r - 1, s = 1; k >= 0; --k) { inStride[k] = s; s *= shape[k]; }
  for (int k = 0; k < r; ++k) outShape[k] = shape[perm[k]];
  for (int64_t k = r - 1, s = 1; k >= 0; --k) { outStride[k] = s; s *= outShape[k]; }

  if (perm[r - 1] == r - 1) {
    // Rows of `row` contiguous elements, moved as a block.
    const int64_t row = shape[r - 1];
    Outer o;
    o.rank = r - 1;
    for (int k = 0; k < r - 1; ++k) { o.dim[k] = outShape[k]; o.sin[k] = inStride[perm[k]]; o.sout[k] = outStride[k]; }
    const int64_t n = o.size();
    parallel_range(n, std::max<int64_t>(1, kGrain / row), [&](int64_t b, int64_t e, int) {
      for (int64_t t = b; t < e; ++t) {
        int64_t io, oo;
        o.offsets(t, io, oo);
        std::memcpy(out + oo, x + io, sizeof(float) * static_cast<size_t>(row));
      }
    });
    return info.Env().Undefined();
  }

  // q: the output axis holding the input's innermost axis; p = r - 1: the output's innermost.
  int q = 0;
  while (perm[q] != r - 1) ++q;
  const int p = r - 1;
  const int64_t ni = outShape[q], nj = outShape[p], ldi = inStride[perm[p]], ldo = outStride[q];
  Outer o;
  for (int k = 0; k < r; ++k) {
    if (k == p || k == q) continue;
    o.dim[o.rank] = outShape[k];
    o.sin[o.rank] = inStride[perm[k]];
    o.sout[o.rank] = outStride[k];
    ++o.rank;
  }
  // Tasks: (outer index, band of kTile rows i).
  const int64_t bands = (ni + kTile - 1) / kTile, tasks = o.size() * bands;
  auto run = [&](int64_t t) {
    int64_t io, oo;
    o.offsets(t / bands, io, oo);
    const int64_t i0 = (t % bands) * kTile;
    block_transpose(x + io + i0, out + oo + i0 * ldo, std::min(kTile, ni - i0), nj, ldi, ldo);
  };
  parallel_range(tasks, std::max<int64_t>(1, kGrain / (kTile * nj)), [&](int64_t b, int64_t e, int) {
    for (int64_t t = b; t < e; ++t) run(t);
  });
  return info.Env().Undefined();
}

}  // namespace

void init_transpose(Napi::Env, Napi::Object exports) { CONTRASTIVE_EXPORT(exports, "transpose", Transpose); }

}  // namespace contrastive
