// Layer normalisation over the last axis of x [M, H] (Ba et al. 2016, arXiv:1607.06450), BERT's
// nn.LayerNorm: per row, statistics over its H values (biased variance), one pass forward after
// the statistics, one backward; the row stays in L1 between the passes.
//
// forward:  mean = sum_j x_j / H,  var = sum_j (x_j - mean)^2 / H,  rstd = 1 / sqrt(var + eps)
//           y_j = (x_j - mean) * rstd * gamma_j + beta_j
// backward (xhat = (x - mean) * rstd, g = dy * gamma; the statistics recomputed from x):
//           dx_j = rstd * (g_j - sum(g) / H - xhat_j * sum(g * xhat) / H)
//           dgamma_j = sum_rows dy_j * xhat_j,  dbeta_j = sum_rows dy_j
// Row statistics accumulate in float over 16 independent lanes (they vectorize without
// reassociation) and are combined in double; the column sums of dgamma / dbeta accumulate in float
// per block of 64 rows and in double across blocks and threads.
#include <algorithm>
#include <cmath>
#include <vector>

#include "napi_util.h"
#include "thread_pool.h"
#include "vmath.h"  // CONTRASTIVE_CLONES

namespace contrastive {
namespace {

constexpr int64_t L = 16;
constexpr int64_t kBlock = 64;  // rows per float block of the column sums

CONTRASTIVE_CLONES
double lane_sum(const float* __restrict x, int64_t n) {
  float s[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int64_t j = 0; j < L; ++j) s[j] += x[i + j];
  for (int64_t j = 0; i + j < n; ++j) s[j] += x[i + j];
  double r = 0.0;
  for (int64_t j = 0; j < L; ++j) r += s[j];
  return r;
}

CONTRASTIVE_CLONES
double lane_sq_dev(const float* __restrict x, int64_t n, float m) {
  float s[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int64_t j = 0; j < L; ++j) {
      const float d = x[i + j] - m;
      s[j] += d * d;
    }
  for (int64_t j = 0; i + j < n; ++j) {
    const float d = x[i + j] - m;
    s[j] += d * d;
  }
  double r = 0.0;
  for (int64_t j = 0; j < L; ++j) r += s[j];
  return r;
}

// (mean, rstd) of one row.
inline void row_stats(const float* x, int64_t H, double eps, float& mean, float& rstd) {
  const float m = static_cast<float>(lane_sum(x, H) / H);
  const double v = lane_sq_dev(x, H, m) / H;
  mean = m;
  rstd = static_cast<float>(1.0 / std::sqrt(v + eps));
}

// y may be x (in place).
CONTRASTIVE_CLONES
void ln_row(const float* x, const float* __restrict gamma, const float* __restrict beta, float* y, int64_t H, float m,
            float r) {
  for (int64_t j = 0; j < H; ++j) y[j] = (x[j] - m) * r * gamma[j] + beta[j];
}

CONTRASTIVE_CLONES
void add_row(const float* __restrict a, const float* __restrict b, float* __restrict s, int64_t H) {
  for (int64_t j = 0; j < H; ++j) s[j] = a[j] + b[j];
}

// Row sums sum(g) and sum(g * xhat) with g = dy * gamma, and the column sums of dy * xhat (into
// dg) and dy (into db).
CONTRASTIVE_CLONES
void ln_grad_sums(const float* __restrict dy, const float* __restrict x, const float* __restrict gamma,
                  float* __restrict dg, float* __restrict db, int64_t H, float m, float r, double& sg, double& sgx) {
  float a[L] = {}, b[L] = {};
  int64_t j = 0;
  for (; j + L <= H; j += L)
    for (int64_t k = 0; k < L; ++k) {
      const float xh = (x[j + k] - m) * r, d = dy[j + k], g = d * gamma[j + k];
      a[k] += g;
      b[k] += g * xh;
      dg[j + k] += d * xh;
      db[j + k] += d;
    }
  for (int64_t k = 0; j + k < H; ++k) {
    const float xh = (x[j + k] - m) * r, d = dy[j + k], g = d * gamma[j + k];
    a[k] += g;
    b[k] += g * xh;
    dg[j + k] += d * xh;
    db[j + k] += d;
  }
  double s0 = 0.0, s1 = 0.0;
  for (int64_t k = 0; k < L; ++k) { s0 += a[k]; s1 += b[k]; }
  sg = s0;
  sgx = s1;
}

// dx_j = r * (g_j - c0 - xhat_j * c1) = r g_j - r c1 (x_j - m) r - r c0.
CONTRASTIVE_CLONES
void ln_grad_row(const float* __restrict dy, const float* __restrict x, const float* __restrict gamma, float* __restrict dx,
                 int64_t H, float m, float r, float c0, float c1) {
  for (int64_t j = 0; j < H; ++j) {
    const float xh = (x[j] - m) * r;
    dx[j] = r * (dy[j] * gamma[j] - c0 - xh * c1);
  }
}

int64_t task_count(int64_t M, int64_t H) {
  if (M * H < 32768) return 1;
  return std::max<int64_t>(1, std::min<int64_t>((M + kBlock - 1) / kBlock, num_threads() * 4));
}

// Runs fn(i) for every row i in [0, M), in contiguous tasks over the pool.
template <class F>
void each_row(int64_t M, int64_t H, F&& fn) {
  const int64_t tasks = task_count(M, H);
  auto rows = [&](int64_t r0, int64_t r1) {
    for (int64_t i = r0; i < r1; ++i) fn(i);
  };
  if (tasks == 1) rows(0, M);
  else parallel_for(tasks, [&](int64_t t, int) { rows(M * t / tasks, M * (t + 1) / tasks); });
}

// layerNormForward(x, gamma, beta, M, H, eps, y, r|null); x, y (and r): [M, H], gamma, beta: [H].
// With r: y = LayerNorm(x + r), the residual add of a post-LN transformer layer and its norm in one
// pass per row (the sum made in y's row, in float as the Add kernel makes it, and normalised there
// while in L1).
Napi::Value LayerNormForward(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  const float* gamma = f32(info[1]);
  const float* beta = f32(info[2]);
  const int64_t M = num(info[3]), H = num(info[4]);
  const double eps = dbl(info[5]);
  float* y = f32(info[6]);
  const float* res = f32_or_null(info[7]);
  if (M == 0 || H == 0) return info.Env().Undefined();
  each_row(M, H, [&](int64_t i) {
    const float* xr = x + i * H;
    float* yr = y + i * H;
    if (res) {
      add_row(xr, res + i * H, yr, H);
      xr = yr;
    }
    float m, r;
    row_stats(xr, H, eps, m, r);
    ln_row(xr, gamma, beta, yr, H, m, r);
  });
  return info.Env().Undefined();
}

// layerNormBackward(dy, x, gamma, M, H, eps, dx, dgamma, dbeta); dy, x, dx: [M, H]; the rest [H].
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  const float* dy = f32(info[0]);
  const float* x = f32(info[1]);
  const float* gamma = f32(info[2]);
  const int64_t M = num(info[3]), H = num(info[4]);
  const double eps = dbl(info[5]);
  float* dx = f32(info[6]);
  float* dgamma = f32(info[7]);
  float* dbeta = f32(info[8]);
  if (H == 0) return info.Env().Undefined();
  const int64_t tasks = task_count(M, H);
  std::vector<double> partial(static_cast<size_t>(tasks * 2 * H), 0.0);  // [task][dgamma | dbeta][H]
  auto rows = [&](int64_t t, int64_t r0, int64_t r1) {
    std::vector<float> acc(static_cast<size_t>(2 * H));
    double* p = partial.data() + t * 2 * H;
    for (int64_t b = r0; b < r1; b += kBlock) {
      std::fill(acc.begin(), acc.end(), 0.f);
      const int64_t be = std::min(r1, b + kBlock);
      for (int64_t i = b; i < be; ++i) {
        const float* xr = x + i * H;
        const float* dr = dy + i * H;
        float m, r;
        row_stats(xr, H, eps, m, r);
        double sg, sgx;
        ln_grad_sums(dr, xr, gamma, acc.data(), acc.data() + H, H, m, r, sg, sgx);
        ln_grad_row(dr, xr, gamma, dx + i * H, H, m, r, static_cast<float>(sg / H), static_cast<float>(sgx / H));
      }
      for (int64_t j = 0; j < 2 * H; ++j) p[j] += acc[j];
    }
  };
  if (tasks == 1) rows(0, 0, M);
  else parallel_for(tasks, [&](int64_t t, int) { rows(t, M * t / tasks, M * (t + 1) / tasks); });
  for (int64_t j = 0; j < H; ++j) {
    double g = 0.0, b = 0.0;
    for (int64_t t = 0; t < tasks; ++t) { g += partial[t * 2 * H + j]; b += partial[t * 2 * H + H + j]; }
    dgamma[j] = static_cast<float>(g);
    dbeta[j] = static_cast<float>(b);
  }
  return info.Env().Undefined();
}

}  // namespace

void init_layer_norm(Napi::Env, Napi::Object exports) {
  CONTRASTIVE_EXPORT(exports, "layerNormForward", LayerNormForward);
  CONTRASTIVE_EXPORT(exports, "layerNormBackward", LayerNormBackward);
}

}  // namespace contrastive
