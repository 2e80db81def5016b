// Module entry point of polytask_native: every binding file registers its kernels here.
#include <napi.h>

#include "register.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  ptb::register_gemm(env, exports);
  ptb::register_elementwise(env, exports);
  ptb::register_reduce(env, exports);
  ptb::register_movement(env, exports);
  ptb::register_conv(env, exports);
  ptb::register_pool(env, exports);
  ptb::register_softmax(env, exports);
  ptb::register_norm(env, exports);
  ptb::register_optim(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(polytask_native, Init)
