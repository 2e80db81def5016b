/**
 * Attaches the op methods that `tensor.ts` declares (`TensorMethods`) to `Tensor.prototype`, each
 * delegating to its op in `ops/`. Importing this module is what gives tensors their methods;
 * `tensor/index.ts` and `creation.ts` import it, and the table's type makes the compiler check that
 * every declared method is implemented.
 *
 * @example
 * import './methods.js';
 * tensor([1, -2]).relu().sum().item(); // 1
 */
import { runBackward } from './autograd.js';
import { backwardHooks } from './hooks.js';
import * as ew from './ops/elementwise.js';
import * as red from './ops/reduce.js';
import * as mv from './ops/movement.js';
import * as la from './ops/linalg.js';
import * as act from './ops/activation.js';
import { Tensor, type TensorMethods } from './tensor.js';

const methods: TensorMethods & ThisType<Tensor> = {
  backward(gradient, opts = {}) {
    runBackward(this, gradient, opts.retainGraph ?? false, backwardHooks);
  },

  clone() {
    return ew.clone(this);
  },
  toFloat() {
    return ew.cast(this, 'float32');
  },
  toInt() {
    return ew.cast(this, 'int32');
  },

  // ---- arithmetic ----
  add(o) {
    return ew.binaryOp('add', this, o);
  },
  sub(o) {
    return ew.binaryOp('sub', this, o);
  },
  mul(o) {
    return ew.binaryOp('mul', this, o);
  },
  div(o) {
    return ew.binaryOp('div', this, o);
  },
  pow(o) {
    return ew.binaryOp('pow', this, o);
  },
  maximum(o) {
    return ew.binaryOp('maximum', this, o);
  },
  minimum(o) {
    return ew.binaryOp('minimum', this, o);
  },
  eq(o) {
    return ew.binaryOp('eq', this, o);
  },
  ne(o) {
    return ew.binaryOp('ne', this, o);
  },
  lt(o) {
    return ew.binaryOp('lt', this, o);
  },
  le(o) {
    return ew.binaryOp('le', this, o);
  },
  gt(o) {
    return ew.binaryOp('gt', this, o);
  },
  ge(o) {
    return ew.binaryOp('ge', this, o);
  },
  neg() {
    return ew.unaryOp('neg', this);
  },
  exp() {
    return ew.unaryOp('exp', this);
  },
  log() {
    return ew.unaryOp('log', this);
  },
  sqrt() {
    return ew.unaryOp('sqrt', this);
  },
  abs() {
    return ew.unaryOp('abs', this);
  },
  sign() {
    return ew.unaryOp('sign', this);
  },
  square() {
    return ew.unaryOp('square', this);
  },
  reciprocal() {
    return ew.unaryOp('reciprocal', this);
  },
  clamp(min, max) {
    return ew.clamp(this, min, max);
  },

  // ---- activations ----
  relu() {
    return ew.unaryOp('relu', this);
  },
  leakyRelu(slope = 0.01) {
    return ew.leakyRelu(this, slope);
  },
  gelu() {
    return act.gelu(this);
  },
  silu() {
    return act.silu(this);
  },
  relu6() {
    return act.relu6(this);
  },
  hardsigmoid() {
    return act.hardsigmoid(this);
  },
  hardswish() {
    return act.hardswish(this);
  },
  sigmoid() {
    return ew.unaryOp('sigmoid', this);
  },
  tanh() {
    return ew.unaryOp('tanh', this);
  },
  softplus() {
    return act.softplus(this);
  },
  softmax(axis = -1) {
    return act.softmax(this, axis, false);
  },
  logSoftmax(axis = -1) {
    return act.softmax(this, axis, true);
  },

  // ---- reductions (axes: one, several, or all when omitted) ----
  sum(axes, keepDim = false) {
    return red.sum(this, axes, keepDim);
  },
  mean(axes, keepDim = false) {
    return red.mean(this, axes, keepDim);
  },
  max(axes, keepDim = false) {
    return red.extreme('max', this, axes, keepDim);
  },
  min(axes, keepDim = false) {
    return red.extreme('min', this, axes, keepDim);
  },
  logSumExp(axes, keepDim = false) {
    return red.logSumExp(this, axes, keepDim);
  },
  argmax(axis, keepDim = false) {
    return red.argReduce('argmax', this, axis, keepDim);
  },
  argmin(axis, keepDim = false) {
    return red.argReduce('argmin', this, axis, keepDim);
  },

  // ---- shape and indexing ----
  reshape(shape) {
    return mv.reshape(this, shape);
  },
  flatten(startAxis = 0, endAxis = -1) {
    return mv.flatten(this, startAxis, endAxis);
  },
  squeeze(axis) {
    return mv.squeeze(this, axis);
  },
  unsqueeze(axis) {
    return mv.unsqueeze(this, axis);
  },
  permute(perm) {
    return mv.permute(this, perm);
  },
  transpose(a = -2, b = -1) {
    return mv.transpose(this, a, b);
  },
  expand(shape) {
    return mv.expand(this, shape);
  },
  slice(axis, start, end?) {
    return mv.slice(this, axis, start, end);
  },
  indexSelect(axis, indices) {
    return mv.indexSelect(this, axis, indices);
  },
  gather(axis, index) {
    return mv.gather(this, axis, index);
  },
  matmul(o) {
    return la.matmul(this, o);
  },
};

for (const [name, fn] of Object.entries(methods)) {
  // as a class method would be: writable and configurable, not enumerable
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
