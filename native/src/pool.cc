#include "napi_util.h"

namespace contrastive {
void init_pool(Napi::Env, Napi::Object) {}
}  // namespace contrastive
