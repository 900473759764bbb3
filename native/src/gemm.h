// Single-precision GEMM, Goto/BLIS structure: C[M,N] (+)= A[M,K] * B[K,N], then an epilogue
// (bias per column + activation). A and B reach the driver through packers, so convolution can
// feed im2col panels straight into the packed buffers (implicit GEMM) without an im2col matrix.
#pragma once
#include <cstdint>

namespace contrastive {

enum class Act : int { None = 0, Relu = 1, Relu6 = 2, LeakyRelu = 3, Elu = 4, Sigmoid = 5, Prelu = 6, Gelu = 7 };

struct Epilogue {
  const float* bias = nullptr;   // [N] added to every row (or nullptr)
  Act act = Act::None;
  float alpha = 0.f;             // LeakyRelu slope
  const float* prelu = nullptr;  // [N] PReLU slopes
};

// Fills dst with the rows [i0, i0+mc) x k [p0, p0+kc) of A in panels of MR rows:
// dst[panel][k][r], zero-padded past mc.
struct PackA {
  virtual ~PackA() = default;
  virtual void pack(int64_t i0, int64_t mc, int64_t p0, int64_t kc, int MR, float* dst) const = 0;
  // A row-major in memory (element (i, k) at data[i * lda + k]): the data and lda, so the GEMM may
  // read A in place (MicroKernelDirect) instead of packing it; nullptr when A is not.
  virtual const float* rows(int64_t& lda) const { (void)lda; return nullptr; }
};
// Fills dst with k [p0, p0+kc) x columns [j0, j0+nc) of B in panels of NR columns:
// dst[panel][k][c], zero-padded past nc.
struct PackB {
  virtual ~PackB() = default;
  virtual void pack(int64_t p0, int64_t kc, int64_t j0, int64_t nc, int NR, float* dst) const = 0;
};

// A strided matrix: element (i, j) at data[i * rs + j * cs].
struct Strided {
  const float* data;
  int64_t rs, cs;
};
struct StridedPackA : PackA {
  Strided a;
  explicit StridedPackA(Strided s) : a(s) {}
  void pack(int64_t i0, int64_t mc, int64_t p0, int64_t kc, int MR, float* dst) const override;
  const float* rows(int64_t& lda) const override {
    if (a.cs != 1 || a.rs < 1) return nullptr;
    lda = a.rs;
    return a.data;
  }
};
struct StridedPackB : PackB {
  Strided b;
  explicit StridedPackB(Strided s) : b(s) {}
  void pack(int64_t p0, int64_t kc, int64_t j0, int64_t nc, int NR, float* dst) const override;
};

// C has row stride ldc (unit column stride). accumulate: C += A*B instead of C = A*B.
// parallel=false runs on the calling thread only (for use inside pool tasks).
void gemm(int64_t M, int64_t N, int64_t K, const PackA& A, const PackB& B, float* C, int64_t ldc,
          bool accumulate, const Epilogue& epi, bool parallel = true);

void sgemm_strided(int64_t M, int64_t N, int64_t K, Strided A, Strided B, float* C, int64_t ldc,
                   bool accumulate, const Epilogue& epi, bool parallel = true);

// Applies bias + activation to rows [0, M) of C in place.
void apply_epilogue(int64_t M, int64_t N, float* C, int64_t ldc, const Epilogue& epi, int64_t col0 = 0);

// Micro-kernel: C[MR, NR] (+)= Ap[kc][MR]^T * Bp[kc][NR].
using MicroKernel = void (*)(int64_t kc, const float* Ap, const float* Bp, float* C, int64_t ldc, int accumulate);
// Micro-kernel reading A in place: C[m, NR] (+)= A[m rows at stride lda][kc] * Bp[kc][NR], A's rows
// unit-stride along k.
using MicroKernelDirect = void (*)(int64_t kc, const float* A, int64_t lda, const float* Bp, float* C, int64_t ldc,
                                   int accumulate);
// Packs one full NR-wide panel of a B whose columns are contiguous along k (column c of the panel
// at src + c * cs, e.g. K^T of attention scores): dst[k][c] for k in [0, kc), c in [0, NR).
using PackColumnsPanel = void (*)(const float* src, int64_t cs, int64_t kc, float* dst);
struct KernelInfo {
  const char* name;
  int MR, NR;
  MicroKernel fn;
  // direct[m] for m = 1..MR rows (m rows of C written); nullptr: A is always packed.
  const MicroKernelDirect* direct = nullptr;
  // SIMD transposing pack of B panels (nullptr: the scalar loop).
  PackColumnsPanel pack_columns = nullptr;
};
KernelInfo kernel_generic();
#if defined(CONTRASTIVE_X64)
KernelInfo kernel_avx2();
KernelInfo kernel_avx512();
#endif
const KernelInfo& active_kernel();
// Force a kernel ("avx512", "avx2", "generic"); returns false if unsupported on this CPU.
bool set_kernel(const char* name);

}  // namespace contrastive
