// Portable micro-kernel: plain loops the compiler vectorizes for the baseline ISA (SSE2 on x86-64,
// NEON on arm64). Used where neither AVX2+FMA nor AVX-512 is present.
#include "gemm.h"

namespace contrastive {
namespace {
constexpr int MR = 4, NR = 16;

void ukernel(int64_t kc, const float* Ap, const float* Bp, float* C, int64_t ldc, int accumulate) {
  float acc[MR][NR] = {};
  for (int64_t k = 0; k < kc; ++k) {
    const float* a = Ap + k * MR;
    const float* b = Bp + k * NR;
    for (int r = 0; r < MR; ++r) {
      const float ar = a[r];
      for (int c = 0; c < NR; ++c) acc[r][c] += ar * b[c];
    }
  }
  for (int r = 0; r < MR; ++r) {
    float* cr = C + r * ldc;
    if (accumulate)
      for (int c = 0; c < NR; ++c) cr[c] += acc[r][c];
    else
      for (int c = 0; c < NR; ++c) cr[c] = acc[r][c];
  }
}
}  // namespace

KernelInfo kernel_generic() { return {"generic", MR, NR, ukernel}; }

}  // namespace contrastive
