// Elementwise kernels: unary ops and their derivatives, broadcasting binary ops, where, clamp.
// Semantics follow the JS reference (src/backends/js/elementwise.ts) exactly, NaN handling
// included; transcendental functions are evaluated in double precision as the reference does.
#pragma once

#include <cstdint>

#include "shape.h"

namespace pt {

enum class UnaryOp { Neg, Exp, Log, Sqrt, Abs, Sign, Square, Reciprocal, Relu, LeakyRelu, Sigmoid, Tanh, Erf, Log1p, Gelu };
enum class BinaryOp { Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge };

// x, out are (n,): out[i] = op(x[i]); alpha is leakyRelu's slope. out may alias x.
void unary(UnaryOp op, const float* x, float* out, int64_t n, double alpha);

// x, y = op(x), gy, gx are (n,): gx[i] = gy[i] * op'(x[i]).
void unary_grad(UnaryOp op, const float* x, const float* y, const float* gy, float* gx, int64_t n, double alpha);

// out (out_shape) = op(a (a_shape), b (b_shape)) with NumPy broadcasting; comparisons write 1 or 0.
void binary(BinaryOp op, const float* a, const Shape& a_shape, const float* b, const Shape& b_shape,
            float* out, const Shape& out_shape);

// out = cond != 0 ? a : b, all broadcast to out_shape.
void where(const float* cond, const Shape& c_shape, const float* a, const Shape& a_shape,
           const float* b, const Shape& b_shape, float* out, const Shape& out_shape);

// x, out are (n,): out[i] = min(max(x[i], lo), hi), compared in double as the reference does.
void clamp(const float* x, double lo, double hi, float* out, int64_t n);

// gx[i] = lo <= x[i] <= hi ? gy[i] : 0.
void clamp_grad(const float* x, double lo, double hi, const float* gy, float* gx, int64_t n);

}  // namespace pt
