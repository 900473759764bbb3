#include "gemm.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gelu.h"
#include "thread_pool.h"

namespace contrastive {
namespace {

// Blocking (floats). KC x NR of B and MR x KC of A stay in L1 across the micro-kernel calls; a
// packed KC x NC block of B is shared by the threads and sized for L2; each thread packs its own
// MC x KC block of A.
constexpr int64_t KC = 256;
constexpr int64_t NC_MAX = 1024;
constexpr int64_t MC_MAX = 336;

#if defined(CONTRASTIVE_X64) && (defined(__GNUC__) || defined(__clang__))
#define CONTRASTIVE_CPU_DISPATCH 1
#endif

KernelInfo detect() {
#if defined(CONTRASTIVE_CPU_DISPATCH)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return kernel_avx512();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return kernel_avx2();
#endif
  return kernel_generic();
}

KernelInfo& current() {
  static KernelInfo k = detect();
  return k;
}

// 64-byte aligned growable scratch buffer, one per thread.
struct Scratch {
  float* ptr = nullptr;
  size_t cap = 0;
  ~Scratch() { std::free(ptr); }
  float* get(size_t n) {
    if (n > cap) {
      std::free(ptr);
      size_t bytes = ((n * sizeof(float) + 63) / 64) * 64;
      ptr = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (!ptr) {
        std::fprintf(stderr, "contrastive: out of memory allocating %zu bytes of GEMM scratch\n", bytes);
        std::abort();
      }
      cap = n;
    }
    return ptr;
  }
};
thread_local Scratch tl_a, tl_b;

inline float act1(float v, Act act, float alpha, float pw) {
  switch (act) {
    case Act::None: return v;
    case Act::Relu: return v > 0.f ? v : 0.f;
    case Act::Relu6: return std::min(std::max(v, 0.f), 6.f);
    case Act::LeakyRelu: return v < 0.f ? alpha * v : v;
    case Act::Elu: return v >= 0.f ? v : std::expm1(v);
    case Act::Sigmoid: return 1.f / (1.f + std::exp(-v));
    case Act::Prelu: return v < 0.f ? pw * v : v;
    case Act::Gelu: return gelu1(v);
  }
  return v;
}

}  // namespace

const KernelInfo& active_kernel() { return current(); }

bool set_kernel(const char* name) {
  std::string n(name);
  if (n == "generic") { current() = kernel_generic(); return true; }
#if defined(CONTRASTIVE_CPU_DISPATCH)
  __builtin_cpu_init();
  if (n == "avx2" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) { current() = kernel_avx2(); return true; }
  if (n == "avx512" && __builtin_cpu_supports("avx512f")) { current() = kernel_avx512(); return true; }
#endif
  return false;
}

void StridedPackA::pack(int64_t i0, int64_t mc, int64_t p0, int64_t kc, int MR, float* dst) const {
  for (int64_t ip = 0; ip < mc; ip += MR) {
    const int64_t rows = std::min<int64_t>(MR, mc - ip);
    float* d = dst + ip * kc;
    const float* src = a.data + (i0 + ip) * a.rs + p0 * a.cs;
    if (a.rs == 1 && rows == MR) {
      // Column-major A (transposed): MR contiguous rows per k.
      for (int64_t k = 0; k < kc; ++k) std::memcpy(d + k * MR, src + k * a.cs, MR * sizeof(float));
      continue;
    }
    if (rows < MR) std::memset(d, 0, sizeof(float) * MR * kc);
    for (int64_t r = 0; r < rows; ++r) {
      const float* s = src + r * a.rs;
      if (a.cs == 1)
        for (int64_t k = 0; k < kc; ++k) d[k * MR + r] = s[k];
      else
        for (int64_t k = 0; k < kc; ++k) d[k * MR + r] = s[k * a.cs];
    }
  }
}

void StridedPackB::pack(int64_t p0, int64_t kc, int64_t j0, int64_t nc, int NR, float* dst) const {
  for (int64_t jp = 0; jp < nc; jp += NR) {
    const int64_t cols = std::min<int64_t>(NR, nc - jp);
    float* d = dst + jp * kc;
    const float* src = b.data + p0 * b.rs + (j0 + jp) * b.cs;
    if (b.cs == 1) {
      for (int64_t k = 0; k < kc; ++k) {
        std::memcpy(d + k * NR, src + k * b.rs, cols * sizeof(float));
        if (cols < NR) std::memset(d + k * NR + cols, 0, (NR - cols) * sizeof(float));
      }
    } else if (b.rs == 1 && cols == NR && current().pack_columns && current().NR == NR &&
               reinterpret_cast<uintptr_t>(d) % 64 == 0) {
      current().pack_columns(src, b.cs, kc, d);  // columns contiguous along k: SIMD transposes
    } else {
      if (cols < NR) std::memset(d, 0, sizeof(float) * NR * kc);
      for (int64_t c = 0; c < cols; ++c) {
        const float* s = src + c * b.cs;
        for (int64_t k = 0; k < kc; ++k) d[k * NR + c] = s[k * b.rs];
      }
    }
  }
}

void apply_epilogue(int64_t M, int64_t N, float* C, int64_t ldc, const Epilogue& epi, int64_t col0) {
  if (!epi.bias && epi.act == Act::None) return;
  for (int64_t i = 0; i < M; ++i) {
    float* c = C + i * ldc;
    if (epi.bias) {
      const float* b = epi.bias + col0;
      for (int64_t j = 0; j < N; ++j) c[j] += b[j];
    }
    switch (epi.act) {
      case Act::None: break;
      case Act::Relu: for (int64_t j = 0; j < N; ++j) c[j] = c[j] > 0.f ? c[j] : 0.f; break;
      case Act::Gelu: gelu_span(c, c, N); break;  // vectorized (gelu.cc)
      default:
        for (int64_t j = 0; j < N; ++j)
          c[j] = act1(c[j], epi.act, epi.alpha, epi.prelu ? epi.prelu[col0 + j] : 0.f);
    }
  }
}

namespace {

// Runs fn(lo, hi) on the pool over `chunks` contiguous near-equal ranges of [0, n) (empty ones
// skipped): the split of B's panels or of C's row tiles over the threads.
template <class F>
void parallel_chunks(int64_t n, int64_t chunks, F&& fn) {
  parallel_for(chunks, [&](int64_t t, int) {
    const int64_t lo = n * t / chunks, hi = n * (t + 1) / chunks;
    if (hi > lo) fn(lo, hi);
  });
}

// The mr x nr corner of a micro-kernel's full tile (row stride ldt = the kernel's NR), written
// into C at an edge where the full tile would run past it: added to C or stored.
inline void store_partial_tile(const float* tile, int64_t ldt, int64_t mr, int64_t nr, float* c, int64_t ldc, bool accumulate) {
  for (int64_t r = 0; r < mr; ++r) {
    float* cr = c + r * ldc;
    const float* t = tile + r * ldt;
    if (accumulate)
      for (int64_t q = 0; q < nr; ++q) cr[q] += t[q];
    else
      for (int64_t q = 0; q < nr; ++q) cr[q] = t[q];
  }
}

// One KC x NC block of B is packed (bp) and shared; this computes rows [i0, i0+mc) x columns
// [j0, j0 + nc) of C against it, for the jr panels [jr0, jr1).
void macro_kernel(const KernelInfo& kr, int64_t mc, int64_t nc, int64_t kc, const float* ap, const float* bp,
                  float* C, int64_t ldc, bool accumulate, bool last, const Epilogue& epi, int64_t col0, int64_t jr0,
                  int64_t jr1) {
  const int MR = kr.MR, NR = kr.NR;
  alignas(64) float tile[16 * 64];
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int64_t mr = std::min<int64_t>(MR, mc - ir);
    const float* a = ap + ir * kc;
    for (int64_t jr = jr0; jr < jr1; jr += NR) {
      const int64_t nr = std::min<int64_t>(NR, nc - jr);
      const float* b = bp + jr * kc;
      float* c = C + ir * ldc + jr;
      if (mr == MR && nr == NR) {
        kr.fn(kc, a, b, c, ldc, accumulate);
      } else {
        kr.fn(kc, a, b, tile, NR, 0);
        store_partial_tile(tile, NR, mr, nr, c, ldc, accumulate);
      }
      if (last) apply_epilogue(mr, nr, c, ldc, epi, col0 + jr);
    }
  }
}

void gemm_serial(int64_t M, int64_t N, int64_t K, const PackA& A, const PackB& B, float* C, int64_t ldc,
                 bool accumulate, const Epilogue& epi) {
  const KernelInfo& kr = current();
  const int64_t MR = kr.MR, NR = kr.NR;
  const int64_t mc_max = (MC_MAX / MR) * MR;
  for (int64_t jc = 0; jc < N; jc += NC_MAX) {
    const int64_t nc = std::min(NC_MAX, N - jc);
    const int64_t ncp = (nc + NR - 1) / NR * NR;
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min(KC, K - pc);
      const bool acc = accumulate || pc > 0, last = pc + kc >= K;
      float* bp = tl_b.get(ncp * kc);
      B.pack(pc, kc, jc, nc, NR, bp);
      for (int64_t ic = 0; ic < M; ic += mc_max) {
        const int64_t mc = std::min(mc_max, M - ic);
        float* ap = tl_a.get(((mc + MR - 1) / MR) * MR * kc);
        A.pack(ic, mc, pc, kc, MR, ap);
        macro_kernel(kr, mc, nc, kc, ap, bp, C + ic * ldc + jc, ldc, acc, last, epi, jc, 0, nc);
      }
    }
  }
}

#ifndef CONTRASTIVE_KC_DIRECT
#define CONTRASTIVE_KC_DIRECT 384
#endif
#ifndef CONTRASTIVE_NC_DIRECT
#define CONTRASTIVE_NC_DIRECT 384
#endif
#ifndef CONTRASTIVE_TASKS_PER_THREAD
#define CONTRASTIVE_TASKS_PER_THREAD 4
#endif
// Blocking of the direct-A path (floats): k blocks of at most KC_DIRECT, near-equal in size (the
// MR x kc rows of A stay in L1 while the B panels stream past), column blocks of NC_DIRECT (the
// packed kc x nc block of B stays in L2 across the row tiles of a task).
constexpr int64_t KC_DIRECT = CONTRASTIVE_KC_DIRECT;
constexpr int64_t NC_DIRECT = CONTRASTIVE_NC_DIRECT;

// C (+)= A B with A read in place (row-major, lda) by the direct micro-kernel: MLAS's structure.
// All of B is packed once (in parallel), then row tiles are dealt to the threads in a few
// contiguous tasks (taken dynamically, so a descheduled thread does less): no packing of A, no
// barrier between k blocks. A last partial row tile (M % MR rows) has its own kernel (kr.direct[mr]);
// a partial column panel computes into a tile and copies its nr columns. Measured on the MiniLM
// shapes (M 2048, K 384 / 1536, N 384 / 1536), one thread: ~185 GFLOP/s against ~155 for the
// packed-A path (the micro-kernel alone: ~225); two threads: 1.4-1.5x the packed-A path.
void gemm_direct(const KernelInfo& kr, int64_t M, int64_t N, int64_t K, const float* a, int64_t lda, const PackB& B,
                 float* C, int64_t ldc, bool accumulate, const Epilogue& epi, int T) {
  const int64_t MR = kr.MR, NR = kr.NR;
  const int64_t nk = (K + KC_DIRECT - 1) / KC_DIRECT;
  const int64_t npanels = (N + NR - 1) / NR, Np = npanels * NR;
  auto k0 = [&](int64_t p) { return K * p / nk; };
  // Packed B: k block p at bp + k0(p) * Np, its column panel j at + j * NR * kc(p).
  float* bp = tl_b.get(static_cast<size_t>(K * Np));
  auto pack_panels = [&](int64_t j0, int64_t j1) {
    for (int64_t p = 0; p < nk; ++p) {
      const int64_t kb = k0(p), kc = k0(p + 1) - kb;
      B.pack(kb, kc, j0 * NR, std::min(N, j1 * NR) - j0 * NR, static_cast<int>(NR), bp + kb * Np + j0 * NR * kc);
    }
  };
  if (T > 1) {
    parallel_chunks(npanels, std::min<int64_t>(npanels, 4 * T), pack_panels);
  } else {
    pack_panels(0, npanels);
  }
  const int64_t mtiles = (M + MR - 1) / MR;
  auto run_tiles = [&](int64_t t0, int64_t t1) {  // row tiles [t0, t1)
    alignas(64) float tile[16 * 64];
    for (int64_t jc = 0; jc < N; jc += NC_DIRECT) {
      const int64_t nc = std::min(NC_DIRECT, N - jc);
      for (int64_t p = 0; p < nk; ++p) {
        const int64_t kb = k0(p), kc = k0(p + 1) - kb;
        const bool acc = accumulate || p > 0, last = p + 1 == nk;
        const float* bpk = bp + kb * Np;
        for (int64_t it = t0; it < t1; ++it) {
          const int64_t i = it * MR, mr = std::min(MR, M - i);
          const float* ai = a + i * lda + kb;
          const MicroKernelDirect kern = kr.direct[mr];
          for (int64_t jr = jc; jr < jc + nc; jr += NR) {
            const int64_t nr = std::min(NR, N - jr);
            const float* b = bpk + (jr / NR) * NR * kc;
            float* c = C + i * ldc + jr;
            if (nr == NR) {
              kern(kc, ai, lda, b, c, ldc, acc);
            } else {
              kern(kc, ai, lda, b, tile, NR, 0);
              store_partial_tile(tile, NR, mr, nr, c, ldc, acc);
            }
          }
          // once per row tile and column block (one call per row of up to NC_DIRECT columns, still
          // in cache), not per micro-tile: GELU's vectorized span wants long rows
          if (last) apply_epilogue(mr, nc, C + i * ldc + jc, ldc, epi, jc);
        }
      }
    }
  };
  const int64_t tasks = T > 1 ? std::min<int64_t>(mtiles, CONTRASTIVE_TASKS_PER_THREAD * T) : 1;
  if (tasks <= 1) {
    run_tiles(0, mtiles);
  } else {
    parallel_chunks(mtiles, tasks, run_tiles);
  }
}

}  // namespace

void gemm(int64_t M, int64_t N, int64_t K, const PackA& A, const PackB& B, float* C, int64_t ldc, bool accumulate,
          const Epilogue& epi, bool parallel) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < M; ++i) std::memset(C + i * ldc, 0, N * sizeof(float));
    apply_epilogue(M, N, C, ldc, epi);
    return;
  }
  const KernelInfo& kr = current();
  const int64_t MR = kr.MR, NR = kr.NR;
  const int T = parallel ? num_threads() : 1;
  const double flops = 2.0 * M * N * K;
  const int64_t mtiles = (M + MR - 1) / MR, ntiles = (N + NR - 1) / NR;
  const bool split_k = T > 1 && flops >= 2e5 && mtiles * ntiles < 2 * T && K >= 512 * T;
  int64_t lda = 0;
  const float* a_rows = kr.direct && !split_k ? A.rows(lda) : nullptr;
  if (a_rows) {
    gemm_direct(kr, M, N, K, a_rows, lda, B, C, ldc, accumulate, epi, flops < 2e5 ? 1 : T);
    return;
  }
  if (T == 1 || flops < 2e5) {
    gemm_serial(M, N, K, A, B, C, ldc, accumulate, epi);
    return;
  }
  // Small output, long K (e.g. the filter gradient of a convolution): split K over the threads,
  // each into a private buffer, then sum.
  if (split_k) {
    const int64_t parts = T;
    std::vector<float> partial(static_cast<size_t>((parts - 1) * M * N));
    parallel_for(parts, [&](int64_t p, int) {
      int64_t k0 = (K * p / parts) / KC * KC, k1 = p + 1 == parts ? K : (K * (p + 1) / parts) / KC * KC;
      struct OffsetA : PackA {
        const PackA& a; int64_t off;
        OffsetA(const PackA& a_, int64_t o) : a(a_), off(o) {}
        void pack(int64_t i0, int64_t mc, int64_t p0, int64_t kc, int mr, float* d) const override { a.pack(i0, mc, p0 + off, kc, mr, d); }
      } oa(A, k0);
      struct OffsetB : PackB {
        const PackB& b; int64_t off;
        OffsetB(const PackB& b_, int64_t o) : b(b_), off(o) {}
        void pack(int64_t p0, int64_t kc, int64_t j0, int64_t nc, int nr, float* d) const override { b.pack(p0 + off, kc, j0, nc, nr, d); }
      } ob(B, k0);
      Epilogue none;
      if (p == 0)
        gemm_serial(M, N, k1 - k0, oa, ob, C, ldc, accumulate, none);
      else
        gemm_serial(M, N, k1 - k0, oa, ob, partial.data() + (p - 1) * M * N, N, false, none);
    });
    for (int64_t p = 1; p < parts; ++p) {
      const float* s = partial.data() + (p - 1) * M * N;
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) C[i * ldc + j] += s[i * N + j];
    }
    apply_epilogue(M, N, C, ldc, epi);
    return;
  }

  // Row blocks: a multiple of T of them so the threads get equal shares.
  const int64_t mc_max = (MC_MAX / MR) * MR;
  int64_t mblocks = (M + mc_max - 1) / mc_max;
  if (mtiles >= T) mblocks = std::min<int64_t>(mtiles, (mblocks + T - 1) / T * T);
  int64_t mc = ((M + mblocks - 1) / mblocks + MR - 1) / MR * MR;
  mblocks = (M + mc - 1) / mc;
  for (int64_t jc = 0; jc < N; jc += NC_MAX) {
    const int64_t nc = std::min(NC_MAX, N - jc);
    const int64_t npanels = (nc + NR - 1) / NR;
    // Column groups when there are too few row blocks to feed every thread.
    int64_t ngroups = 1;
    if (mblocks % T != 0 && mblocks < 4 * T) ngroups = std::min<int64_t>(npanels, (2 * T + mblocks - 1) / mblocks);
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min(KC, K - pc);
      const bool acc = accumulate || pc > 0, last = pc + kc >= K;
      float* bp = tl_b.get(npanels * NR * kc);
      parallel_chunks(npanels, std::min<int64_t>(npanels, 4 * T), [&](int64_t p0, int64_t p1) {
        B.pack(pc, kc, jc + p0 * NR, std::min(nc, p1 * NR) - p0 * NR, NR, bp + p0 * NR * kc);
      });
      parallel_for(mblocks * ngroups, [&](int64_t t, int) {
        const int64_t ib = t / ngroups, g = t % ngroups;
        const int64_t ic = ib * mc, mcb = std::min(mc, M - ic);
        if (mcb <= 0) return;
        const int64_t jr0 = npanels * g / ngroups * NR, jr1 = std::min(nc, npanels * (g + 1) / ngroups * NR);
        float* ap = tl_a.get(((mcb + MR - 1) / MR) * MR * kc);
        A.pack(ic, mcb, pc, kc, static_cast<int>(MR), ap);
        macro_kernel(kr, mcb, nc, kc, ap, bp, C + ic * ldc + jc, ldc, acc, last, epi, jc, jr0, jr1);
      });
    }
  }
}

void sgemm_strided(int64_t M, int64_t N, int64_t K, Strided A, Strided B, float* C, int64_t ldc, bool accumulate,
                   const Epilogue& epi, bool parallel) {
  StridedPackA pa(A);
  StridedPackB pb(B);
  gemm(M, N, K, pa, pb, C, ldc, accumulate, epi, parallel);
}

}  // namespace contrastive
