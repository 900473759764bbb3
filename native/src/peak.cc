// FMA-throughput probe: the fp32 peak this machine actually delivers, to put GEMM figures in
// perspective (bench/run.mjs prints it beside the nominal cores x GHz x 32).
//
// peakGflops(seconds) -> GFLOP/s: every pool thread runs a loop of independent vector FMAs
//   (acc = acc * m + a on 12 accumulators, more than FMA latency x FMA pipes on current x86 cores,
//   so the loop is throughput-bound) until a shared deadline; flops of all threads / wall time.
// peakIsa() -> 'avx512' | 'avx2' | 'generic': the loop the probe runs here (same rule as the GEMM:
//   AVX-512F if present, else AVX2+FMA, else portable multiply-add).
#include <chrono>
#include <cstdint>
#include <vector>

#include "napi_util.h"
#include "thread_pool.h"

#if defined(CONTRASTIVE_X64) && defined(__GNUC__)
#include <immintrin.h>
#define CONTRASTIVE_PEAK_X86 1
#endif

namespace contrastive {
namespace {

constexpr int kAcc = 12;                // independent accumulators per thread
constexpr int64_t kIterPerChunk = 1 << 16;  // between two reads of the clock (~0.3-1 ms)
volatile float g_sink;                   // keeps the results observable

// Each function runs `iters` iterations and returns the flops it did (an FMA counts as 2).
#if defined(CONTRASTIVE_PEAK_X86)
__attribute__((target("avx512f"))) double chunk_avx512(int64_t iters) {
  __m512 acc[kAcc];
  for (int r = 0; r < kAcc; ++r) acc[r] = _mm512_set1_ps(1.f + r * 1e-3f);
  const __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-6f);
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 12
    for (int r = 0; r < kAcc; ++r) acc[r] = _mm512_fmadd_ps(acc[r], m, a);
  }
  __m512 s = acc[0];
  for (int r = 1; r < kAcc; ++r) s = _mm512_add_ps(s, acc[r]);
  float lanes[16];
  _mm512_storeu_ps(lanes, s);
  g_sink = lanes[0] + lanes[15];
  return 2.0 * 16 * kAcc * static_cast<double>(iters);
}

__attribute__((target("avx2,fma"))) double chunk_avx2(int64_t iters) {
  __m256 acc[kAcc];
  for (int r = 0; r < kAcc; ++r) acc[r] = _mm256_set1_ps(1.f + r * 1e-3f);
  const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-6f);
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 12
    for (int r = 0; r < kAcc; ++r) acc[r] = _mm256_fmadd_ps(acc[r], m, a);
  }
  __m256 s = acc[0];
  for (int r = 1; r < kAcc; ++r) s = _mm256_add_ps(s, acc[r]);
  float lanes[8];
  _mm256_storeu_ps(lanes, s);
  g_sink = lanes[0] + lanes[7];
  return 2.0 * 8 * kAcc * static_cast<double>(iters);
}
#endif

// Portable: 8 floats x 12 accumulators of multiply-add the compiler vectorizes for the baseline ISA.
double chunk_generic(int64_t iters) {
  constexpr int W = 8;
  float acc[kAcc][W];
  for (int r = 0; r < kAcc; ++r)
    for (int l = 0; l < W; ++l) acc[r][l] = 1.f + r * 1e-3f;
  for (int64_t i = 0; i < iters; ++i)
    for (int r = 0; r < kAcc; ++r)
      for (int l = 0; l < W; ++l) acc[r][l] = acc[r][l] * 0.999999f + 1e-6f;
  float s = 0.f;
  for (int r = 0; r < kAcc; ++r) s += acc[r][0];
  g_sink = s;
  return 2.0 * W * kAcc * static_cast<double>(iters);
}

using ChunkFn = double (*)(int64_t);

struct Probe {
  const char* isa;
  ChunkFn fn;
};

Probe select_probe() {
#if defined(CONTRASTIVE_PEAK_X86)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return {"avx512", chunk_avx512};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {"avx2", chunk_avx2};
#endif
  return {"generic", chunk_generic};
}

// Every pool thread runs chunks until the deadline; returns GFLOP/s of all of them together.
double measure(ChunkFn fn, double seconds) {
  using Clock = std::chrono::steady_clock;
  const int threads = num_threads();
  struct alignas(64) Slot { double flops = 0; };  // one cache line per thread: no false sharing
  std::vector<Slot> done(threads);
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  parallel_for(threads, [&](int64_t task, int) {
    double flops = 0;
    while (Clock::now() < deadline) flops += fn(kIterPerChunk);
    done[task].flops = flops;
  });
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  double total = 0;
  for (const Slot& s : done) total += s.flops;
  return total / elapsed * 1e-9;
}

Napi::Value PeakGflops(const Napi::CallbackInfo& info) {
  double seconds = info.Length() > 0 && info[0].IsNumber() ? dbl(info[0]) : 0.5;
  if (!(seconds > 0)) seconds = 0.5;
  const Probe probe = select_probe();
  measure(probe.fn, seconds < 0.2 ? seconds / 4 : 0.05);  // wake the pool, let clocks settle
  return Napi::Number::New(info.Env(), measure(probe.fn, seconds));
}

Napi::Value PeakIsa(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), select_probe().isa); }

}  // namespace

void init_peak(Napi::Env, Napi::Object exports) {
  CONTRASTIVE_EXPORT(exports, "peakGflops", PeakGflops);
  CONTRASTIVE_EXPORT(exports, "peakIsa", PeakIsa);
}

}  // namespace contrastive
