// N-API glue of the storage pool (native/kernels/storage_pool.h): allocStorage hands out pooled
// blocks as ArrayBuffers whose memory goes back to the pool when V8 frees them.
//
// Why V8's API and not napi_create_external_arraybuffer: Node runs an N-API finalizer later, from
// the event loop (SetImmediate), so a synchronous training loop would never see a block come back
// and every step would allocate afresh. A V8 BackingStore deleter runs as soon as the collector
// frees the buffer (on the JavaScript thread or on V8's sweeper thread; the pool is thread-safe),
// and only when no ArrayBuffer or typed array views the memory any more: a block cannot be handed
// out twice. V8 counts the buffer's length as external memory, as it does for its own buffers, so
// the collector runs as often as before. The cost is ABI stability: the addon must be rebuilt for
// another Node version, which scripts/build-native.mjs already does (it builds against the
// running Node's headers).
//
//   allocStorage(bytes, zero)   ArrayBuffer of `bytes` (zero-filled when `zero`)
//   storagePoolStats()          { limitBytes, retainedBytes, retainedBlocks, liveBytes, hits, misses }
//   setStoragePoolLimit(bytes)  cap on retained bytes (0: retain nothing)
//   trimStoragePool()           frees every retained block
#include <v8.h>

#include <cstring>

#include "../kernels/storage_pool.h"
#include "args.h"
#include "register.h"

namespace ptb {
namespace {

// Largest buffer: what V8 allows a typed array to view, far below where size arithmetic overflows.
constexpr int64_t kMaxBytes = int64_t{1} << 40;

// The deleter: `capacity` is the block's capacity, carried in the deleter's data pointer.
void give_back(void* data, size_t /*length*/, void* capacity) {
  pt::pool_release(data, reinterpret_cast<size_t>(capacity));
}

// A napi_value is a v8::Local<v8::Value> (Node's v8impl::JsValueFromV8LocalValue); this is the one
// place polytask relies on it.
napi_value to_napi(v8::Local<v8::Value> local) {
  static_assert(sizeof(napi_value) == sizeof(v8::Local<v8::Value>), "napi_value must be a v8::Local");
  napi_value v;
  std::memcpy(&v, &local, sizeof v);
  return v;
}

Napi::Value AllocStorage(const Napi::CallbackInfo& info) {
  Args args(info, "allocStorage", 2);
  const int64_t bytes = args.integer(args[0], "'bytes'", 0, kMaxBytes, __FILE__, __LINE__);
  const bool zero = args.boolean(args[1], "'zero'", __FILE__, __LINE__);
  const size_t n = static_cast<size_t>(bytes);
  size_t capacity = 0;
  void* block = pt::pool_acquire(n, &capacity);
  PT_CHECK(args, block != nullptr, "out of memory allocating " + std::to_string(bytes) + " bytes");
  if (zero) std::memset(block, 0, n);
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  std::unique_ptr<v8::BackingStore> store = v8::ArrayBuffer::NewBackingStore(block, n, give_back, reinterpret_cast<void*>(capacity));
  return Napi::Value(info.Env(), to_napi(v8::ArrayBuffer::New(isolate, std::move(store))));
}

Napi::Value StoragePoolStats(const Napi::CallbackInfo& info) {
  Args args(info, "storagePoolStats", 0);
  const pt::PoolStats s = pt::pool_stats();
  Napi::Object out = Napi::Object::New(info.Env());
  const auto set = [&](const char* key, uint64_t v) { out.Set(key, Napi::Number::New(info.Env(), static_cast<double>(v))); };
  set("limitBytes", s.limit_bytes);
  set("retainedBytes", s.retained_bytes);
  set("retainedBlocks", s.retained_blocks);
  set("liveBytes", s.live_bytes);
  set("hits", s.hits);
  set("misses", s.misses);
  return out;
}

Napi::Value SetStoragePoolLimit(const Napi::CallbackInfo& info) {
  Args args(info, "setStoragePoolLimit", 1);
  pt::pool_set_limit(static_cast<size_t>(args.integer(args[0], "'bytes'", 0, kMaxBytes, __FILE__, __LINE__)));
  return info.Env().Undefined();
}

Napi::Value TrimStoragePool(const Napi::CallbackInfo& info) {
  Args args(info, "trimStoragePool", 0);
  pt::pool_trim();
  return info.Env().Undefined();
}

}  // namespace

void register_memory(Napi::Env env, Napi::Object exports) {
  exports.Set("allocStorage", Napi::Function::New(env, AllocStorage, "allocStorage"));
  exports.Set("storagePoolStats", Napi::Function::New(env, StoragePoolStats, "storagePoolStats"));
  exports.Set("setStoragePoolLimit", Napi::Function::New(env, SetStoragePoolLimit, "setStoragePoolLimit"));
  exports.Set("trimStoragePool", Napi::Function::New(env, TrimStoragePool, "trimStoragePool"));
}

}  // namespace ptb
