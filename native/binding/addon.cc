// Module entry point of polytask_native: every binding file registers its kernels here.
#include <napi.h>

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "register.h"

namespace {

// Makes glibc keep freed tensor memory for reuse. Tensors are ArrayBuffers that V8 allocates with
// calloc and frees at garbage collection; by default glibc maps big blocks freshly (mmap) and hands
// freed ones back to the OS, so every new activation or gradient page faults on first write: a
// CNN training step spent more time in those faults than in its elementwise kernels. Blocks up to
// 32 MiB (glibc's largest mmap threshold) now come from the heap, which keeps up to 512 MiB of free
// space before it trims. POLYTASK_KEEP_FREED_MEMORY=0 leaves glibc's defaults.
void keep_freed_memory() {
#if defined(__GLIBC__)
  const char* env = std::getenv("POLYTASK_KEEP_FREED_MEMORY");
  if (env != nullptr && std::strcmp(env, "0") == 0) return;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  keep_freed_memory();
  ptb::register_gemm(env, exports);
  ptb::register_elementwise(env, exports);
  ptb::register_reduce(env, exports);
  ptb::register_movement(env, exports);
  ptb::register_conv(env, exports);
  ptb::register_pool(env, exports);
  ptb::register_softmax(env, exports);
  ptb::register_norm(env, exports);
  ptb::register_optim(env, exports);
  ptb::register_memory(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(polytask_native, Init)
