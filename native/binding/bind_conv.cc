// N-API glue of the convolution kernels. The geometry object is read field by field and checked
// for consistency (groups divide the channels, sizes fit) before any array is touched.
#include "../kernels/conv.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

// Largest column matrix (C/groups·KH·KW x OH·OW floats) one image may need: 8 GiB.
constexpr int64_t kMaxColumnElements = int64_t{1} << 31;

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
