// N-API glue of the pooling kernels. Window reads are bounds-checked in the kernels, so any
// output size is safe; argmax entries are checked against the plane here.
#include "../kernels/pool.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

// The fields of Pool2dGeometry, the second argument of max and average pooling.
#define POOL_GEOMETRY(X)                       \
  X(INT, n, IN(1), 0, kMaxDim)                 \
  X(INT, c, IN(1), 0, kMaxDim)                 \
  X(INT, h, IN(1), 0, kMaxDim)                 \
  X(INT, w, IN(1), 0, kMaxDim)                 \
  X(INT, oh, IN(1), 0, kMaxDim)                \
  X(INT, ow, IN(1), 0, kMaxDim)                \
  X(INT, kh, IN(1), 1, kMaxGeometry)           \
  X(INT, kw, IN(1), 1, kMaxGeometry)           \
  X(INT, strideH, IN(1), 1, kMaxGeometry)      \
  X(INT, strideW, IN(1), 1, kMaxGeometry)      \
  X(INT, padH, IN(1), 0, kMaxGeometry)         \
  X(INT, padW, IN(1), 0, kMaxGeometry)         \
  X(BOOL, countIncludePad, IN(1))

// x is [N,C,H,W], y [N,C,OH,OW].
#define POOL_X "n*c*h*w"
#define POOL_Y "n*c*oh*ow"

// maxPool2d({ x, y, argmax }, geometry)
#define MAX_POOL_ARGS(X)                       \
  X(F32, x, IN(0), POOL_X)                     \
  X(F32, y, IN(0), POOL_Y)                     \
  X(I32, argmax, IN(0), POOL_Y)                \
  POOL_GEOMETRY(X)
PT_SIGNATURE(MaxPoolArgs, "maxPool2d", 2, MAX_POOL_ARGS, ARRAYS(0), OBJECT(1, "geometry"))

// maxPool2dBackward({ gy, argmax, gx }, geometry)
#define MAX_POOL_BACKWARD_ARGS(X)              \
  X(F32, gy, IN(0), POOL_Y)                    \
  X(I32, argmax, IN(0), POOL_Y)                \
  X(F32, gx, IN(0), POOL_X)                    \
  POOL_GEOMETRY(X)
PT_SIGNATURE(MaxPoolBackwardArgs, "maxPool2dBackward", 2, MAX_POOL_BACKWARD_ARGS, ARRAYS(0), OBJECT(1, "geometry"))

// avgPool2d({ x, y }, geometry)
#define AVG_POOL_ARGS(X)                       \
  X(F32, x, IN(0), POOL_X)                     \
  X(F32, y, IN(0), POOL_Y)                     \
  POOL_GEOMETRY(X)
PT_SIGNATURE(AvgPoolArgs, "avgPool2d", 2, AVG_POOL_ARGS, ARRAYS(0), OBJECT(1, "geometry"))

// avgPool2dBackward({ gy, gx }, geometry)
#define AVG_POOL_BACKWARD_ARGS(X)              \
  X(F32, gy, IN(0), POOL_Y)                    \
  X(F32, gx, IN(0), POOL_X)                    \
  POOL_GEOMETRY(X)
PT_SIGNATURE(AvgPoolBackwardArgs, "avgPool2dBackward", 2, AVG_POOL_BACKWARD_ARGS, ARRAYS(0), OBJECT(1, "geometry"))

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

// The fields of AdaptivePool2dGeometry.
#define ADAPTIVE_GEOMETRY(X)                   \
  X(INT, n, IN(1), 0, kMaxDim)                 \
  X(INT, c, IN(1), 0, kMaxDim)                 \
  X(INT, h, IN(1), 0, kMaxDim)                 \
  X(INT, w, IN(1), 0, kMaxDim)                 \
  X(INT, oh, IN(1), 0, kMaxDim)                \
  X(INT, ow, IN(1), 0, kMaxDim)

// adaptiveAvgPool2d({ x, y }, geometry)
#define ADAPTIVE_ARGS(X)                       \
  X(F32, x, IN(0), POOL_X)                     \
  X(F32, y, IN(0), POOL_Y)                     \
  ADAPTIVE_GEOMETRY(X)
PT_SIGNATURE(AdaptiveArgs, "adaptiveAvgPool2d", 2, ADAPTIVE_ARGS, ARRAYS(0), ATTRS(1))

// adaptiveAvgPool2dBackward({ gy, gx }, geometry)
#define ADAPTIVE_BACKWARD_ARGS(X)              \
  X(F32, gy, IN(0), POOL_Y)                    \
  X(F32, gx, IN(0), POOL_X)                    \
  ADAPTIVE_GEOMETRY(X)
PT_SIGNATURE(AdaptiveBackwardArgs, "adaptiveAvgPool2dBackward", 2, ADAPTIVE_BACKWARD_ARGS, ARRAYS(0), ATTRS(1))

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
