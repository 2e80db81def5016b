/**
 * Elementwise ops and their gradients: broadcasting binary arithmetic and comparisons, unary math
 * and activations, clamp, where, casts.
 *
 * @example
 * binaryOp('add', x, 1); // x + 1, broadcast
 */
import { allocateEmpty, emptyF32, type DType } from '../../core/dtype.js';
import { DTypeError, ValueError } from '../../core/errors.js';
import { broadcastShapes, fmt, shapesEqual, sizeOf, type Shape } from '../../core/shape.js';
import type { BinaryOp, UnaryOp } from '../../backend/backend.js';
import { getBackend } from '../../backend/registry.js';
import { record } from '../autograd.js';
import { Tensor, type Operand } from '../tensor.js';

const COMPARISONS: ReadonlySet<BinaryOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
const INT_OK: ReadonlySet<BinaryOp> = new Set([
  'add',
  'sub',
  'mul',
  'maximum',
  'minimum',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
]);

/** A number becomes a scalar tensor of `like`'s dtype. */
export function toTensor(op: string, o: Operand, like: Tensor): Tensor {
  if (o instanceof Tensor) return o;
  if (like.dtype === 'int32') {
    if (!Number.isInteger(o))
      throw new DTypeError(op, `cannot combine an int32 tensor with the non-integer ${o}; call toFloat() first`);
    return new Tensor(Int32Array.of(o), []);
  }
  return new Tensor(Float32Array.of(o), []);
}

/** Throws unless t is float32. */
export function requireFloat(op: string, t: Tensor): void {
  if (t.dtype !== 'float32')
    throw new DTypeError(op, `expects a float32 tensor, got ${t.dtype} of shape ${fmt(t.shape)}`);
}

/** Sums a broadcast gradient back down to `shape`. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const out = emptyF32(sizeOf(shape));
  getBackend().reduce('sum', g.data as Float32Array, g.shape, axes, out);
  return new Tensor(out, shape);
}

export function binaryOp(op: BinaryOp, a: Tensor, bIn: Operand): Tensor {
  const b = toTensor(op, bIn, a);
  if (a.dtype !== b.dtype) {
    throw new DTypeError(
      op,
      `dtypes differ: ${a.dtype} ${fmt(a.shape)} and ${b.dtype} ${fmt(b.shape)}; convert with toFloat() or toInt()`,
    );
  }
  if (a.dtype === 'int32' && !INT_OK.has(op))
    throw new DTypeError(op, `is not defined on int32 tensors; call toFloat() first`);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const cmp = COMPARISONS.has(op);
  const out = allocateEmpty(cmp ? 'float32' : a.dtype, sizeOf(shape));
  getBackend().binary(op, a.data, a.shape, b.data, b.shape, out, shape);
  const res = new Tensor(out, shape);
  if (cmp || a.dtype === 'int32') return res;
  return record(res, op, [a, b], (g, needs) => binaryGrad(op, a, b, res, g, needs));
}

function binaryGrad(
  op: BinaryOp,
  a: Tensor,
  b: Tensor,
  out: Tensor,
  g: Tensor,
  needs: readonly boolean[],
): (Tensor | null)[] {
  const ga = (f: () => Tensor): Tensor | null => (needs[0] ? sumTo(f(), a.shape) : null);
  const gb = (f: () => Tensor): Tensor | null => (needs[1] ? sumTo(f(), b.shape) : null);
  switch (op) {
    case 'add':
      return [ga(() => g), gb(() => g)];
    case 'sub':
      return [ga(() => g), gb(() => g.neg())];
    case 'mul':
      return [ga(() => g.mul(b)), gb(() => g.mul(a))];
    case 'div':
      return [ga(() => g.div(b)), gb(() => g.mul(out).div(b).neg())];
    case 'pow':
      return [
        ga(() => g.mul(b).mul(a.pow(b.sub(1)))),
        // d/db a^b = a^b log a; taken as 0 where a == 0 (as PyTorch does)
        gb(() => where(a.eq(0), new Tensor(Float32Array.of(0), []), g.mul(out).mul(a.log()))),
      ];
    case 'maximum':
    case 'minimum': {
      // ties split the gradient evenly, as in PyTorch
      const win = op === 'maximum' ? a.gt(b) : a.lt(b);
      const tie = a.eq(b).mul(0.5);
      const share = win.add(tie);
      return [ga(() => g.mul(share)), gb(() => g.mul(share.neg().add(1)))];
    }
    default:
      return [null, null];
  }
}

export function unaryOp(op: UnaryOp, x: Tensor, alpha = 0): Tensor {
  requireFloat(op, x);
  const be = getBackend();
  const out = emptyF32(x.size);
  be.unary(op, x.data as Float32Array, out, alpha);
  const res = new Tensor(out, x.shape);
  return record(res, op, [x], (g) => {
    const gx = emptyF32(x.size);
    getBackend().unaryGrad(op, x.data as Float32Array, out, g.data as Float32Array, gx, alpha);
    return [new Tensor(gx, x.shape)];
  });
}

/** max(x, 0) + slope·min(x, 0); the slope must be a finite number. */
export function leakyRelu(x: Tensor, slope: number): Tensor {
  if (!Number.isFinite(slope))
    throw new ValueError('leakyRelu', `negative slope must be a finite number, got ${slope}`);
  return unaryOp('leakyRelu', x, slope);
}

export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  requireFloat('clamp', x);
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi)
    throw new ValueError('clamp', `needs min <= max, got min ${lo} and max ${hi}`);
  const out = emptyF32(x.size);
  getBackend().clamp(x.data as Float32Array, lo, hi, out);
  return record(new Tensor(out, x.shape), 'clamp', [x], (g) => {
    const gx = emptyF32(x.size);
    getBackend().clampGrad(x.data as Float32Array, lo, hi, g.data as Float32Array, gx);
    return [new Tensor(gx, x.shape)];
  });
}

/** cond != 0 ? a : b, broadcast over all three. Differentiable in a and b. */
export function where(cond: Tensor, aIn: Operand, bIn: Operand): Tensor {
  requireFloat('where (condition)', cond);
  const a = aIn instanceof Tensor ? aIn : new Tensor(Float32Array.of(aIn), []);
  const b = bIn instanceof Tensor ? bIn : new Tensor(Float32Array.of(bIn), []);
  requireFloat('where', a);
  requireFloat('where', b);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  const out = emptyF32(sizeOf(shape));
  getBackend().where(
    cond.data as Float32Array,
    cond.shape,
    a.data as Float32Array,
    a.shape,
    b.data as Float32Array,
    b.shape,
    out,
    shape,
  );
  return record(new Tensor(out, shape), 'where', [a, b], (g, needs) => {
    const zero = new Tensor(new Float32Array(1), []);
    return [
      needs[0] ? sumTo(where(cond, g, zero), a.shape) : null,
      needs[1] ? sumTo(where(cond, zero, g), b.shape) : null,
    ];
  });
}

export function clone(x: Tensor): Tensor {
  const res = new Tensor(x.data.slice(), x.shape);
  return record(res, 'clone', [x], (g) => [g]);
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  if (dtype === 'int32')
    return new Tensor(
      Int32Array.from(x.data, (v) => Math.trunc(v)),
      x.shape,
    );
  return new Tensor(Float32Array.from(x.data), x.shape);
}
