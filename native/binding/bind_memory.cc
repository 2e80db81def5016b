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
//   releaseStorage(buffer)      gives an allocStorage buffer's block back now: detaches the buffer
//                               (it and every view of it become empty); false if not such a buffer
//   storagePoolStats()          { limitBytes, retainedBytes, retainedBlocks, liveBytes, hits, misses }
//   setStoragePoolLimit(bytes)  cap on retained bytes (0: retain nothing)
//   trimStoragePool()           frees every retained block
#include <v8.h>

#include <cstring>
#include <mutex>
#include <unordered_set>

#include "../kernels/storage_pool.h"
#include "args.h"
#include "register.h"

namespace ptb {
namespace {

// Largest buffer: what V8 allows a typed array to view, far below where size arithmetic overflows.
constexpr int64_t kMaxBytes = int64_t{1} << 40;

// The blocks that allocStorage handed out as ArrayBuffers and V8 has not yet given back: what
// releaseStorage may detach. Guarded by its own mutex (the deleter runs on V8's sweeper thread too).
struct Outstanding {
  std::mutex mu;
  std::unordered_set<void*> blocks;
};

// Never destroyed: deleters of ArrayBuffers may run while the process exits.
Outstanding& outstanding() {
  static Outstanding* o = new Outstanding();
  return *o;
}

// The deleter: `capacity` is the block's capacity, carried in the deleter's data pointer.
void give_back(void* data, size_t /*length*/, void* capacity) {
  {
    Outstanding& o = outstanding();
    std::lock_guard<std::mutex> lock(o.mu);
    o.blocks.erase(data);
  }
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

v8::Local<v8::Value> from_napi(napi_value value) {
  v8::Local<v8::Value> local;
  std::memcpy(&local, &value, sizeof local);
  return local;
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
  {
    Outstanding& o = outstanding();
    std::lock_guard<std::mutex> lock(o.mu);
    o.blocks.insert(block);
  }
  return Napi::Value(info.Env(), to_napi(v8::ArrayBuffer::New(isolate, std::move(store))));
}

// Detaching drops V8's only reference to the BackingStore, so its deleter (give_back) runs inside
// Detach and the block is back in the pool when this returns; the buffer and all its typed arrays
// then have length 0, so no JavaScript reference can reach the block's next owner. A buffer not
// from allocStorage (or already detached, or not detachable) is left alone.
Napi::Value ReleaseStorage(const Napi::CallbackInfo& info) {
  Args args(info, "releaseStorage", 1);
  if (!info[0].IsArrayBuffer()) args.type_error("'buffer' must be an ArrayBuffer", __FILE__, __LINE__);
  v8::Local<v8::Value> value = from_napi(info[0]);
  v8::Local<v8::ArrayBuffer> buffer = value.As<v8::ArrayBuffer>();
  void* data = buffer->Data();
  if (data == nullptr || !buffer->IsDetachable()) return Napi::Boolean::New(info.Env(), false);
  {
    // the buffer is alive (we hold it), so its deleter cannot run between this check and Detach
    Outstanding& o = outstanding();
    std::lock_guard<std::mutex> lock(o.mu);
    if (o.blocks.count(data) == 0) return Napi::Boolean::New(info.Env(), false);
  }
  buffer->Detach();
  return Napi::Boolean::New(info.Env(), true);
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
  exports.Set("releaseStorage", Napi::Function::New(env, ReleaseStorage, "releaseStorage"));
  exports.Set("storagePoolStats", Napi::Function::New(env, StoragePoolStats, "storagePoolStats"));
  exports.Set("setStoragePoolLimit", Napi::Function::New(env, SetStoragePoolLimit, "setStoragePoolLimit"));
  exports.Set("trimStoragePool", Napi::Function::New(env, TrimStoragePool, "trimStoragePool"));
}

}  // namespace ptb
