#include "napi_util.h"

namespace contrastive {
void init_conv(Napi::Env, Napi::Object) {}
}  // namespace contrastive
