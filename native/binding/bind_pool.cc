// N-API glue of the pooling kernels. Window reads are bounds-checked in the kernels, so any
// output size is safe; argmax entries are checked against the plane here.
#include "../kernels/pool.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

template <class S>
pt::PoolGeometry geometry(const S& a) {
  return {a.n, a.c, a.h, a.w, a.oh, a.ow, a.kh, a.kw, a.strideH, a.strideW, a.padH, a.padW, a.countIncludePad};
}

// argmax stores positions within a plane as int32.
template <class S>
void check_plane(const Args& args, const S& g) {
  PT_CHECK(args, args.mul(g.h, g.w, "plane") <= kMaxDim, "an input plane of " + std::to_string(g.h) + "x" + std::to_string(g.w) + " is too large");
}

void max_pool(const Args&, MaxPoolArgs& a) { pt::max_pool2d(a.x.data, a.y.data, a.argmax.data, geometry(a)); }

void max_pool_backward(const Args& args, MaxPoolBackwardArgs& a) {
  const int64_t plane = a.h * a.w;
  for (int64_t i = 0; i < a.argmax.size; ++i) {
    PT_CHECK(args, a.argmax.data[i] < plane,
             "'argmax'[" + std::to_string(i) + "] = " + std::to_string(a.argmax.data[i]) + " is outside the plane of " + std::to_string(plane));
  }
  pt::max_pool2d_backward(a.gy.data, a.argmax.data, a.gx.data, geometry(a));
}

void avg_pool(const Args&, AvgPoolArgs& a) { pt::avg_pool2d(a.x.data, a.y.data, geometry(a)); }

void avg_pool_backward(const Args&, AvgPoolBackwardArgs& a) { pt::avg_pool2d_backward(a.gy.data, a.gx.data, geometry(a)); }

// The bounds i*h/oh use products of an output index and an input size.
template <class S>
void check_adaptive(const Args& args, const S& a) {
  args.mul(a.h, a.oh + 1, "adaptive bounds");
  args.mul(a.w, a.ow + 1, "adaptive bounds");
}

void adaptive(const Args&, AdaptiveArgs& a) { pt::adaptive_avg_pool2d(a.x.data, a.n, a.c, a.h, a.w, a.oh, a.ow, a.y.data); }

void adaptive_backward(const Args&, AdaptiveBackwardArgs& a) {
  pt::adaptive_avg_pool2d_backward(a.gy.data, a.n, a.c, a.h, a.w, a.oh, a.ow, a.gx.data);
}

}  // namespace

void register_pool(Napi::Env env, Napi::Object exports) {
  add_kernel<MaxPoolArgs, max_pool, check_plane>(env, exports);
  add_kernel<MaxPoolBackwardArgs, max_pool_backward, check_plane>(env, exports);
  add_kernel<AvgPoolArgs, avg_pool, check_plane>(env, exports);
  add_kernel<AvgPoolBackwardArgs, avg_pool_backward, check_plane>(env, exports);
  add_kernel<AdaptiveArgs, adaptive, check_adaptive>(env, exports);
  add_kernel<AdaptiveBackwardArgs, adaptive_backward, check_adaptive>(env, exports);
}

}  // namespace ptb
