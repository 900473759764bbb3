// Training-mode batch normalisation over the leading axes of a [M, C] (NHWC-flattened) tensor, in
// two passes forward and two backward, instead of the ~25 full-size passes of tfjs's composed
// moments + FusedBatchNorm gradient. Per-channel statistics are accumulated in double per thread.
//
// forward:  mean_c = sum_i x_ic / M,  var_c = sum_i (x_ic - mean_c)^2 / M  (biased),
//           y_ic = (x_ic - mean_c) * rstd_c * gamma_c + beta_c,  rstd_c = 1 / sqrt(var_c + eps)
// backward (xhat = (x - mean) * rstd, g = dy):
//           dbeta_c = sum_i g_ic,  dgamma_c = sum_i g_ic xhat_ic
//           dx_ic = gamma_c rstd_c (g_ic - dbeta_c / M - xhat_ic dgamma_c / M)
//                   + dmean_c / M + dvar_c * 2 (x_ic - mean_c) / M
#include <cmath>
#include <vector>

#include "napi_util.h"
#include "thread_pool.h"

namespace contrastive {
namespace {

constexpr int64_t kRowsPerTask = 256;

// Per-channel sums of f(x row) over rows, summed over threads in double.
template <typename RowFn>
void channel_sums(int64_t M, int64_t C, int nsums, RowFn row_fn, std::vector<double>& out) {
  const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>((M + kRowsPerTask - 1) / kRowsPerTask,
                                                                 M * C < 32768 ? 1 : num_threads() * 4));
  std::vector<double> partial(static_cast<size_t>(tasks * nsums * C), 0.0);
  parallel_for(tasks, [&](int64_t t, int) {
    const int64_t r0 = M * t / tasks, r1 = M * (t + 1) / tasks;
    std::vector<float> acc(static_cast<size_t>(nsums * C));
    double* p = partial.data() + t * nsums * C;
    // Accumulate blocks of rows in float, flush to double every 64 rows (bounded float error).
    for (int64_t r = r0; r < r1; r += 64) {
      std::fill(acc.begin(), acc.end(), 0.f);
      const int64_t re = std::min(r1, r + 64);
      for (int64_t i = r; i < re; ++i) row_fn(i, acc.data());
      for (int64_t j = 0; j < nsums * C; ++j) p[j] += acc[j];
    }
  });
  out.assign(static_cast<size_t>(nsums * C), 0.0);
  for (int64_t t = 0; t < tasks; ++t)
    for (int64_t j = 0; j < nsums * C; ++j) out[j] += partial[t * nsums * C + j];
}

template <typename RowFn>
void for_rows(int64_t M, int64_t C, RowFn fn) {
  if (M * C < 32768) {
    for (int64_t i = 0; i < M; ++i) fn(i);
    return;
  }
  parallel_range(M, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, C)), [&](int64_t b, int64_t e, int) {
    for (int64_t i = b; i < e; ++i) fn(i);
  });
}

// bnTrainForward(x, gamma|null, beta|null, M, C, eps, y, mean, variance)
Napi::Value BnTrainForward(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  const float* gamma = f32_or_null(info[1]);
  const float* beta = f32_or_null(info[2]);
  const int64_t M = num(info[3]), C = num(info[4]);
  const float eps = static_cast<float>(dbl(info[5]));
  float* y = f32(info[6]);
  float* mean = f32(info[7]);
  float* var = f32(info[8]);
  if (M == 0) {
    for (int64_t c = 0; c < C; ++c) mean[c] = NAN, var[c] = NAN;
    return info.Env().Undefined();
  }
  std::vector<double> s;
  channel_sums(M, C, 1, [&](int64_t i, float* acc) {
    const float* xr = x + i * C;
    for (int64_t c = 0; c < C; ++c) acc[c] += xr[c];
  }, s);
  std::vector<float> m(C), rs(C), sc(C), sh(C);
  for (int64_t c = 0; c < C; ++c) m[c] = static_cast<float>(s[c] / M);
  channel_sums(M, C, 1, [&](int64_t i, float* acc) {
    const float* xr = x + i * C;
    for (int64_t c = 0; c < C; ++c) {
      const float d = xr[c] - m[c];
      acc[c] += d * d;
    }
  }, s);
  for (int64_t c = 0; c < C; ++c) {
    const double v = s[c] / M;
    mean[c] = m[c];
    var[c] = static_cast<float>(v);
    rs[c] = static_cast<float>(1.0 / std::sqrt(v + eps));
    sc[c] = rs[c] * (gamma ? gamma[c] : 1.f);
    sh[c] = (beta ? beta[c] : 0.f) - m[c] * sc[c];
  }
  for_rows(M, C, [&](int64_t i) {
    const float* xr = x + i * C;
    float* yr = y + i * C;
    for (int64_t c = 0; c < C; ++c) yr[c] = xr[c] * sc[c] + sh[c];
  });
  return info.Env().Undefined();
}

// bnTrainBackward(dy, x, mean, variance, gamma|null, dmean|null, dvar|null, M, C, eps, dx, dgamma, dbeta)
Napi::Value BnTrainBackward(const Napi::CallbackInfo& info) {
  const float* dy = f32(info[0]);
  const float* x = f32(info[1]);
  const float* mean = f32(info[2]);
  const float* var = f32(info[3]);
  const float* gamma = f32_or_null(info[4]);
  const float* dmean = f32_or_null(info[5]);
  const float* dvar = f32_or_null(info[6]);
  const int64_t M = num(info[7]), C = num(info[8]);
  const float eps = static_cast<float>(dbl(info[9]));
  float* dx = f32(info[10]);
  float* dgamma = f32(info[11]);
  float* dbeta = f32(info[12]);
  std::vector<float> rs(C);
  for (int64_t c = 0; c < C; ++c) rs[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(var[c]) + eps));
  std::vector<double> s;
  channel_sums(M, C, 2, [&](int64_t i, float* acc) {
    const float* g = dy + i * C;
    const float* xr = x + i * C;
    float* a0 = acc;
    float* a1 = acc + C;
    for (int64_t c = 0; c < C; ++c) {
      a0[c] += g[c];
      a1[c] += g[c] * (xr[c] - mean[c]) * rs[c];
    }
  }, s);
  // dx = k1 * g + k2 * x + k3 per channel.
  std::vector<float> k1(C), k2(C), k3(C);
  const double invM = M > 0 ? 1.0 / M : 0.0;
  for (int64_t c = 0; c < C; ++c) {
    const double sb = s[c], sg = s[C + c];
    dbeta[c] = static_cast<float>(sb);
    dgamma[c] = static_cast<float>(sg);
    const double gm = gamma ? gamma[c] : 1.0, r = rs[c];
    // gm r (g - sb/M - (x - mean) r sg / M) + dmean/M + dvar 2 (x - mean)/M
    const double a = -gm * r * r * sg * invM + (dvar ? 2.0 * dvar[c] * invM : 0.0);  // coefficient of (x - mean)
    k1[c] = static_cast<float>(gm * r);
    k2[c] = static_cast<float>(a);
    k3[c] = static_cast<float>(-gm * r * sb * invM + (dmean ? dmean[c] * invM : 0.0) - a * mean[c]);
  }
  for_rows(M, C, [&](int64_t i) {
    const float* g = dy + i * C;
    const float* xr = x + i * C;
    float* d = dx + i * C;
    for (int64_t c = 0; c < C; ++c) d[c] = k1[c] * g[c] + k2[c] * xr[c] + k3[c];
  });
  return info.Env().Undefined();
}

}  // namespace

void init_batch_norm(Napi::Env, Napi::Object exports) {
  CONTRASTIVE_EXPORT(exports, "bnTrainForward", BnTrainForward);
  CONTRASTIVE_EXPORT(exports, "bnTrainBackward", BnTrainBackward);
}

}  // namespace contrastive
