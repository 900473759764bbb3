// Entry point of the `native` backend addon: raw-buffer math only. Every function takes
// Float32Arrays (inputs and a preallocated output) plus sizes; TypeScript validates and decides.
#include <napi.h>

#include "gemm.h"
#include "napi_util.h"
#include "thread_pool.h"

namespace contrastive {
namespace {

Napi::Value GetThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), num_threads()); }
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  const int64_t n = num(info[0]);  // validated in TypeScript; clamped again here
  set_num_threads(static_cast<int>(n < 1 ? 1 : (n > kMaxThreads ? kMaxThreads : n)));
  return info.Env().Undefined();
}
Napi::Value KernelName(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), active_kernel().name);
}
Napi::Value SetKernel(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Napi::Boolean::New(info.Env(), set_kernel(name.c_str()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  CONTRASTIVE_EXPORT(exports, "getThreads", GetThreads);
  CONTRASTIVE_EXPORT(exports, "setThreads", SetThreads);
  CONTRASTIVE_EXPORT(exports, "kernelName", KernelName);
  CONTRASTIVE_EXPORT(exports, "setKernel", SetKernel);
  init_gemm(env, exports);
  init_conv(env, exports);
  init_depthwise(env, exports);
  init_elementwise(env, exports);
  init_reduce(env, exports);
  init_pool(env, exports);
  init_norm(env, exports);
  init_batch_norm(env, exports);
  init_tile(env, exports);
  init_transpose(env, exports);
  init_peak(env, exports);
  init_layer_norm(env, exports);
  init_gelu(env, exports);
  init_attention_softmax(env, exports);
  init_heads_matmul(env, exports);
  init_attention_fused(env, exports);
  init_slice(env, exports);
  init_adam(env, exports);
  return exports;
}

}  // namespace
}  // namespace contrastive

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return contrastive::Init(env, exports); }

NODE_API_MODULE(contrastive_native, InitAddon)
