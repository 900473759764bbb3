// Transpose of a float32 tensor of rank <= 6 (tfjs kernel Transpose): out[i_0..i_r-1] =
// x[i at perm], out shape[k] = x shape[perm[k]]. TypeScript first drops size-1 axes and merges
// axes that stay adjacent, so a 2-D transpose, NHWC <-> NCHW ([N, HW, C] <-> [N, C, HW]) and
// the like arrive as their smallest form. Two cases remain:
//   - the innermost axis stays innermost (perm[r-1] == r-1): contiguous row copies;
//   - otherwise: a 2-D transpose between the output's last axis and the output axis that holds
//     the input's innermost axis, done in cache-sized tiles (32x32, of 8x8 blocks transposed in AVX registers where the CPU has AVX2), for
//     every index of the remaining (outer) axes.
#include <algorithm>
#include <cstring>
#if defined(CONTRASTIVE_X64) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "napi_util.h"
#include "thread_pool.h"

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
void tile_scalar(const float* __restrict in, float* __restrict out, int64_t ni, int64_t nj, int64_t ldi, int64_t ldo) {
  for (int64_t i = 0; i < ni; ++i)
    for (int64_t j = 0; j < nj; ++j) out[i * ldo + j] = in[i + j * ldi];
}

#if defined(CONTRASTIVE_X64) && defined(__GNUC__)
// Full 8x8 block in AVX registers: 8 row loads, unpack/shuffle/permute, 8 row stores.
__attribute__((target("avx2"))) void block8_avx2(const float* in, float* out, int64_t ldi, int64_t ldo) {
  __m256 r0 = _mm256_loadu_ps(in), r1 = _mm256_loadu_ps(in + ldi), r2 = _mm256_loadu_ps(in + 2 * ldi),
         r3 = _mm256_loadu_ps(in + 3 * ldi), r4 = _mm256_loadu_ps(in + 4 * ldi), r5 = _mm256_loadu_ps(in + 5 * ldi),
         r6 = _mm256_loadu_ps(in + 6 * ldi), r7 = _mm256_loadu_ps(in + 7 * ldi);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3),
         t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
         t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2)),
         u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2)),
         u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0)), u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2)),
         u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0)), u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  _mm256_storeu_ps(out, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(out + ldo, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(out + 2 * ldo, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(out + 3 * ldo, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(out + 4 * ldo, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(out + 5 * ldo, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(out + 6 * ldo, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(out + 7 * ldo, _mm256_permute2f128_ps(u3, u7, 0x31));
}
#endif

void block8_scalar(const float* in, float* out, int64_t ldi, int64_t ldo) { tile_scalar(in, out, 8, 8, ldi, ldo); }

using Block8 = void (*)(const float*, float*, int64_t, int64_t);
Block8 pick_block8() {
#if defined(CONTRASTIVE_X64) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return block8_avx2;
#endif
  return block8_scalar;
}
const Block8 block8 = pick_block8();

// Transposes an ni x nj block (out[i * ldo + j] = in[i + j * ldi]) in kTile tiles of 8x8 blocks.
void block_transpose(const float* in, float* out, int64_t ni, int64_t nj, int64_t ldi, int64_t ldo) {
  for (int64_t i0 = 0; i0 < ni; i0 += kTile) {
    const int64_t ti = std::min(kTile, ni - i0);
    for (int64_t j0 = 0; j0 < nj; j0 += kTile) {
      const int64_t tj = std::min(kTile, nj - j0);
      for (int64_t i1 = 0; i1 < ti; i1 += 8) {
        for (int64_t j1 = 0; j1 < tj; j1 += 8) {
          const int64_t i = i0 + i1, j = j0 + j1;
          const int64_t bi = std::min<int64_t>(8, ti - i1), bj = std::min<int64_t>(8, tj - j1);
          if (bi == 8 && bj == 8) block8(in + i + j * ldi, out + i * ldo + j, ldi, ldo);
          else tile_scalar(in + i + j * ldi, out + i * ldo + j, bi, bj, ldi, ldo);
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
