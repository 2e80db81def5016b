/**
 * Attention and position encodings, written from existing ops (matmul, where, softmax), so that
 * autograd differentiates them and no backend needs a kernel for them.
 *
 * scaledDotProductAttention: q is [..., Lq, D], k is [..., Lk, D], v is [..., Lk, Dv] (leading
 * dimensions broadcast, typically [N, heads]); the result is [..., Lq, Dv] = softmax(q·kᵀ·scale)·v.
 *
 * @example
 * scaledDotProductAttention(q, k, v, { causal: true });            // decoder-style
 * scaledDotProductAttention(q, k, v, { keyPadding: attentionMask }); // [N, Lk], 1 = token, 0 = pad
 */
import { zerosF32 } from '../../core/dtype.js';
import { ShapeError, ValueError } from '../../core/errors.js';
import { fmt } from '../../core/shape.js';
import { releaseAfter } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { dropout } from './random.js';
import { requireFloat, where } from './elementwise.js';

/**
 * The most negative float32: a masked score, so that exp(score − max) is exactly 0.
 *
 * @example
 * where(mask, scores, MASKED_SCORE); // what scaledDotProductAttention does with a mask
 */
export const MASKED_SCORE = -3.4028234663852886e38;

export interface AttentionOptions {
  /**
   * Which (query, key) pairs take part: float32, broadcastable to the scores [..., Lq, Lk], nonzero
   * where the query attends to the key (PyTorch's boolean `attn_mask` convention: true = attend).
   */
  mask?: Tensor | null;
  /**
   * [N, Lk], Hugging Face's `attention_mask` convention: 1 for a real key, 0 for padding that no
   * query attends to. N is the first dimension of q.
   */
  keyPadding?: Tensor | null;
  /** Query i attends to keys 0..i only (top-left aligned, as PyTorch's `is_causal`). Default false. */
  causal?: boolean;
  /** Multiplies q·kᵀ. Default 1/√D. */
  scale?: number;
  /** Dropout on the attention weights, applied when `training` is true. Default 0. */
  dropout?: number;
  training?: boolean;
}

/**
 * softmax(q·kᵀ·scale + masks)·v. Masked scores are set to the lowest float32 rather than −∞, so a
 * row whose keys are all masked averages v uniformly instead of producing NaN (as Hugging Face's
 * additive `finfo.min` mask does); every other row matches PyTorch's result exactly.
 *
 * @example
 * const q = randn([2, 4, 10, 16]); // [N, heads, L, headDim]
 * scaledDotProductAttention(q, q, q, { causal: true }).shape; // [2, 4, 10, 16]
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  for (const [name, t] of [
    ['q', q],
    ['k', k],
    ['v', v],
  ] as const) {
    requireFloat('scaledDotProductAttention', t);
    if (t.ndim < 2)
      throw new ShapeError('scaledDotProductAttention', `${name} must be [..., L, D], got ${fmt(t.shape)}`);
  }
  const d = q.shape[q.ndim - 1]!;
  if (k.shape[k.ndim - 1] !== d)
    throw new ShapeError(
      'scaledDotProductAttention',
      `q ${fmt(q.shape)} and k ${fmt(k.shape)} must share the last dimension`,
    );
  if (k.shape[k.ndim - 2] !== v.shape[v.ndim - 2]) {
    throw new ShapeError(
      'scaledDotProductAttention',
      `k ${fmt(k.shape)} and v ${fmt(v.shape)} must have the same number of keys`,
    );
  }
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  if (!Number.isFinite(scale)) throw new ValueError('scaledDotProductAttention', `scale must be finite, got ${scale}`);
  // the scale goes on q, which is smaller than the scores when Lk > D
  const qs = q.mul(scale);
  const kt = k.transpose(-2, -1);
  let scores = qs.matmul(kt); // [..., Lq, Lk]
  // the intermediates below are this function's own: each goes back to the pool once the last
  // backward that reads it has run (autograd.ts, releaseAfter); the caller's arrays never do
  const given = new Set([q, k, v, opts.mask, opts.keyPadding].map((t) => t?.data.buffer));
  // `reader` is the output of op `op`, whose backward is the last to read t (when matmul's result is
  // a reshape of it, 1-D or 2-D operands against batched ones, the node differs: t is left to the collector)
  const own = (t: Tensor, reader: Tensor, op: string): void => {
    if (given.has(t.data.buffer) || (reader.gradFn !== null && reader.gradFn.name !== op)) return;
    releaseAfter(t.data, reader);
  };
  own(qs, scores, 'matmul'); // matmul's backward reads its operands; mul's and permute's do not read their outputs
  own(kt, scores, 'matmul');
  const lq = scores.shape[scores.ndim - 2]!;
  const lk = scores.shape[scores.ndim - 1]!;
  // no backward reads a score's values (matmul's reads its operands, where's its condition, softmax's
  // its output), but the consumer's reads its size: each goes back with its consumer's node
  const masked = (next: Tensor): void => {
    own(scores, next, 'where');
    scores = next;
  };
  if (opts.mask !== undefined && opts.mask !== null) masked(where(opts.mask, scores, MASKED_SCORE));
  if (opts.causal === true) {
    const tri = zerosF32(lq * lk);
    for (let i = 0; i < lq; i++) for (let j = 0; j <= Math.min(i, lk - 1); j++) tri[i * lk + j] = 1;
    masked(where(new Tensor(tri, [lq, lk]), scores, MASKED_SCORE));
  }
  if (opts.keyPadding !== undefined && opts.keyPadding !== null) {
    const kp = opts.keyPadding;
    requireFloat('scaledDotProductAttention (keyPadding)', kp);
    if (kp.ndim !== 2 || kp.shape[0] !== q.shape[0] || kp.shape[1] !== lk) {
      throw new ShapeError(
        'scaledDotProductAttention',
        `keyPadding must be [N=${q.shape[0]}, Lk=${lk}], got ${fmt(kp.shape)}`,
      );
    }
    const ones = new Array<number>(scores.ndim - 2).fill(1);
    masked(where(kp.reshape([kp.shape[0]!, ...ones.slice(1), 1, lk]), scores, MASKED_SCORE));
  }
  const weights = scores.softmax(-1);
  own(scores, weights, 'softmax');
  const p = opts.dropout ?? 0;
  const dropped = p > 0 ? dropout(weights, p, opts.training ?? false) : weights;
  const out = dropped.matmul(v);
  // softmax's backward reads the weights after the matmul's (and dropout's) has run; without a
  // softmax node (q and k need no gradient) the matmul's is the last to read them
  if (weights.gradFn !== null) own(weights, weights, 'softmax');
  else own(weights, out, 'matmul');
  if (dropped !== weights) own(dropped, out, 'matmul');
  return out;
}

/**
 * The fixed sinusoidal position encoding of "Attention is all you need": [length, dim] with
 * PE[pos, 2i] = sin(pos / 10000^(2i/dim)) and PE[pos, 2i+1] = cos(pos / 10000^(2i/dim)).
 *
 * @example
 * sinusoidalPositionEncoding(50, 64).shape; // [50, 64]; add it to token embeddings [N, 50, 64]
 */
export function sinusoidalPositionEncoding(length: number, dim: number, base = 10000): Tensor {
  if (!Number.isInteger(length) || length < 1 || !Number.isInteger(dim) || dim < 1) {
    throw new ValueError(
      'sinusoidalPositionEncoding',
      `length and dim must be positive integers, got ${length} and ${dim}`,
    );
  }
  const out = zerosF32(length * dim);
  for (let pos = 0; pos < length; pos++) {
    for (let i = 0; i < dim; i += 2) {
      const angle = pos / Math.pow(base, i / dim);
      out[pos * dim + i] = Math.sin(angle);
      if (i + 1 < dim) out[pos * dim + i + 1] = Math.cos(angle);
    }
  }
  return new Tensor(out, [length, dim]);
}
