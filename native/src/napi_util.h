// Small helpers for the N-API bindings: typed-array access and argument checks. TypeScript
// validates shapes and dtypes before calling; these checks only guard against memory errors.
#pragma once
#include <napi.h>

#include <cstdint>

namespace contrastive {

inline float* f32(const Napi::Value& v) {
  return v.As<Napi::TypedArrayOf<float>>().Data();
}
inline size_t f32_len(const Napi::Value& v) { return v.As<Napi::TypedArrayOf<float>>().ElementLength(); }
inline const float* f32_or_null(const Napi::Value& v) {
  return v.IsTypedArray() ? v.As<Napi::TypedArrayOf<float>>().Data() : nullptr;
}
inline int32_t* i32(const Napi::Value& v) { return v.As<Napi::TypedArrayOf<int32_t>>().Data(); }
inline int64_t num(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }
inline double dbl(const Napi::Value& v) { return v.As<Napi::Number>().DoubleValue(); }
inline bool flag(const Napi::Value& v) { return v.ToBoolean().Value(); }

#define CONTRASTIVE_EXPORT(exports, name, fn) exports.Set(name, Napi::Function::New(exports.Env(), fn, name))

void init_gemm(Napi::Env env, Napi::Object exports);
void init_conv(Napi::Env env, Napi::Object exports);
void init_depthwise(Napi::Env env, Napi::Object exports);
void init_elementwise(Napi::Env env, Napi::Object exports);
void init_reduce(Napi::Env env, Napi::Object exports);
void init_pool(Napi::Env env, Napi::Object exports);
void init_norm(Napi::Env env, Napi::Object exports);
void init_batch_norm(Napi::Env env, Napi::Object exports);
void init_tile(Napi::Env env, Napi::Object exports);
void init_transpose(Napi::Env env, Napi::Object exports);
void init_peak(Napi::Env env, Napi::Object exports);
void init_layer_norm(Napi::Env env, Napi::Object exports);
void init_gelu(Napi::Env env, Napi::Object exports);
void init_attention_softmax(Napi::Env env, Napi::Object exports);
void init_heads_matmul(Napi::Env env, Napi::Object exports);
void init_attention_fused(Napi::Env env, Napi::Object exports);
void init_slice(Napi::Env env, Napi::Object exports);
void init_adam(Napi::Env env, Napi::Object exports);

}  // namespace contrastive
