// N-API glue of the convolution kernels. The geometry object is read field by field and checked
// for consistency (groups divide the channels, sizes fit) before any array is touched.
#include "../kernels/conv.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

// Largest column matrix (C/groups·KH·KW x OH·OW floats) one image may need: 8 GiB.
constexpr int64_t kMaxColumnElements = int64_t{1} << 31;

// The fields of Conv2dGeometry, the second argument of every convolution kernel.
#define CONV_GEOMETRY(X)                       \
  X(INT, n, IN(1), 0, kMaxDim)                 \
  X(INT, c, IN(1), 0, kMaxDim)                 \
  X(INT, h, IN(1), 0, kMaxDim)                 \
  X(INT, w, IN(1), 0, kMaxDim)                 \
  X(INT, o, IN(1), 0, kMaxDim)                 \
  X(INT, kh, IN(1), 1, kMaxGeometry)           \
  X(INT, kw, IN(1), 1, kMaxGeometry)           \
  X(INT, oh, IN(1), 0, kMaxDim)                \
  X(INT, ow, IN(1), 0, kMaxDim)                \
  X(INT, strideH, IN(1), 1, kMaxGeometry)      \
  X(INT, strideW, IN(1), 1, kMaxGeometry)      \
  X(INT, padH, IN(1), 0, kMaxGeometry)         \
  X(INT, padW, IN(1), 0, kMaxGeometry)         \
  X(INT, dilationH, IN(1), 1, kMaxGeometry)    \
  X(INT, dilationW, IN(1), 1, kMaxGeometry)    \
  X(INT, groups, IN(1), 1, kMaxDim)

// Sizes of x [N,C,H,W], the weight [O,C/groups,KH,KW] (its member is `weight`: `w` is the
// width) and y [N,O,OH,OW].
#define CONV_X "n*c*h*w"
#define CONV_W "c/groups*o*kh*kw"
#define CONV_Y "n*o*oh*ow"

// conv2d({ x, w, bias, y }, geometry)
#define CONV2D_ARGS(X)                         \
  X(F32, x, IN(0), CONV_X)                     \
  X(F32, weight, IN_AS(0, "w"), CONV_W)        \
  X(F32_OR_NULL, bias, IN(0), "o")             \
  X(F32, y, IN(0), CONV_Y)                     \
  CONV_GEOMETRY(X)
PT_SIGNATURE(Conv2dArgs, "conv2d", 2, CONV2D_ARGS, ARRAYS(0), OBJECT(1, "geometry"))

// conv2dBackwardInput({ gy, w, gx }, geometry)
#define CONV2D_BACKWARD_INPUT_ARGS(X)          \
  X(F32, gy, IN(0), CONV_Y)                    \
  X(F32, weight, IN_AS(0, "w"), CONV_W)        \
  X(F32, gx, IN(0), CONV_X)                    \
  CONV_GEOMETRY(X)
PT_SIGNATURE(Conv2dBackwardInputArgs, "conv2dBackwardInput", 2, CONV2D_BACKWARD_INPUT_ARGS, ARRAYS(0), OBJECT(1, "geometry"))

// conv2dBackwardWeight({ gy, x, gw, gb }, geometry)
#define CONV2D_BACKWARD_WEIGHT_ARGS(X)         \
  X(F32, gy, IN(0), CONV_Y)                    \
  X(F32, x, IN(0), CONV_X)                     \
  X(F32, gw, IN(0), CONV_W)                    \
  X(F32_OR_NULL, gb, IN(0), "o")               \
  CONV_GEOMETRY(X)
PT_SIGNATURE(Conv2dBackwardWeightArgs, "conv2dBackwardWeight", 2, CONV2D_BACKWARD_WEIGHT_ARGS, ARRAYS(0), OBJECT(1, "geometry"))

template <class S>
pt::ConvGeometry geometry(const S& a) {
  return {a.n, a.c, a.h, a.w, a.o, a.kh, a.kw, a.oh, a.ow, a.strideH, a.strideW, a.padH, a.padW, a.dilationH, a.dilationW, a.groups};
}

template <class S>
void check_geometry(const Args& args, const S& g) {
  PT_CHECK(args, g.c % g.groups == 0 && g.o % g.groups == 0,
           "groups = " + std::to_string(g.groups) + " must divide c = " + std::to_string(g.c) + " and o = " + std::to_string(g.o));
  const int64_t column = args.mul(args.mul(args.mul(g.c / g.groups, g.kh * g.kw, "column matrix"), g.oh, "column matrix"), g.ow, "column matrix");
  PT_CHECK(args, column <= kMaxColumnElements, "the column matrix of one image (" + std::to_string(column) + " floats) is too large");
}

void conv2d(const Args&, Conv2dArgs& a) { pt::conv2d(a.x.data, a.weight.data, a.bias.or_null(), a.y.data, geometry(a)); }

void conv2d_backward_input(const Args&, Conv2dBackwardInputArgs& a) {
  pt::conv2d_backward_input(a.gy.data, a.weight.data, a.gx.data, geometry(a));
}

void conv2d_backward_weight(const Args&, Conv2dBackwardWeightArgs& a) {
  pt::conv2d_backward_weight(a.gy.data, a.x.data, a.gw.data, a.gb.or_null(), geometry(a));
}

}  // namespace

void register_conv(Napi::Env env, Napi::Object exports) {
  add_kernel<Conv2dArgs, conv2d, check_geometry>(env, exports);
  add_kernel<Conv2dBackwardInputArgs, conv2d_backward_input, check_geometry>(env, exports);
  add_kernel<Conv2dBackwardWeightArgs, conv2d_backward_weight, check_geometry>(env, exports);
}

}  // namespace ptb
