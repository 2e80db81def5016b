/**
 * Per-task gradients as flat vectors, and the linear algebra gradient methods share: Gram matrices,
 * linear combinations, and writing a flat vector back into `.grad`. Vectors are float32 (they are
 * as long as the shared parameters); sums run in float64.
 *
 * @example
 * const vectors = taskGradients(losses, trunk.parameters(), heads);   // one gradient call per task
 * const gram = gramMatrix(vectors);                                   // T×T, float64
 * accumulateGrad(trunk.parameters(), combine(vectors, weights));
 */
import { ShapeError } from '../../core/errors.js';
import { dot } from '../../core/linalg.js';
import { grad, noGrad, Tensor } from '../../tensor/index.js';

/** The tensors' elements one after another. */
export function flatten(tensors: readonly Tensor[]): Float32Array {
  const out = new Float32Array(tensors.reduce((n, t) => n + t.size, 0));
  let off = 0;
  for (const t of tensors) {
    out.set(t.data, off);
    off += t.size;
  }
  return out;
}

/** Adds `g` to `p.grad` (replacing it, never writing in place, as the engine does). */
export function addGrad(p: Tensor, g: Tensor): void {
  p.grad = p.grad === null ? g : noGrad(() => p.grad!.add(g));
}

/**
 * Adds consecutive slices of `flat` to the `.grad` of each parameter: the inverse of `flatten` over
 * the same list. A parameter without a gradient gets a view of `flat`, which the caller must not
 * change afterwards.
 *
 * @example
 * accumulateGrad([w, b], Float32Array.of(1, 2, 3, 4)); // w is [3], b is [1]
 */
export function accumulateGrad(params: readonly Tensor[], flat: Float32Array): void {
  const total = params.reduce((n, p) => n + p.size, 0);
  if (total !== flat.length)
    throw new ShapeError('accumulateGrad', `the parameters hold ${total} values, the vector ${flat.length}`);
  let off = 0;
  for (const p of params) {
    // a view, not a copy: `.grad` is replaced, never written in place, so the slices may share `flat`
    addGrad(p, new Tensor(flat.subarray(off, off + p.size), p.shape));
    off += p.size;
  }
}

/** G[i][j] = vᵢ·vⱼ, row-major T×T in float64. */
export function gramMatrix(vectors: readonly Float32Array[]): Float64Array {
  const n = vectors.length;
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const s = dot(vectors[i]!, vectors[j]!);
      g[i * n + j] = s;
      g[j * n + i] = s;
    }
  }
  return g;
}

/** Σᵢ weights[i]·vectors[i]. */
export function combine(vectors: readonly Float32Array[], weights: ArrayLike<number>): Float32Array {
  if (vectors.length !== weights.length)
    throw new ShapeError('combine', `${vectors.length} vectors but ${weights.length} weights`);
  const len = vectors[0]?.length ?? 0;
  const acc = new Float64Array(len);
  vectors.forEach((v, i) => {
    const w = weights[i]!;
    if (w === 0) return;
    for (let k = 0; k < len; k++) acc[k]! += w * v[k]!;
  });
  return Float32Array.from(acc);
}

/**
 * One gradient call per task: the gradient of task i's loss w.r.t. `wrt` (shared parameters or the
 * representation, each requiring grad), flattened, is returned; the gradient w.r.t. the task's own
 * `heads[i]` comes from the same call and is added to their `.grad`. The graph is kept for every
 * call but the last, or for all with `keepGraph` (when a backward through the trunk follows). A loss
 * that does not depend on anything (a constant) has a zero gradient.
 */
export function taskGradients(
  losses: readonly Tensor[],
  wrt: readonly Tensor[],
  heads: readonly (readonly Tensor[])[],
  keepGraph = false,
): Float32Array[] {
  const size = wrt.reduce((n, p) => n + p.size, 0);
  return losses.map((loss, i) => {
    if (!loss.requiresGrad) return new Float32Array(size);
    const own = heads[i] ?? [];
    const retainGraph = keepGraph || i < losses.length - 1;
    const gs = grad([loss], [...wrt, ...own], { retainGraph, allowUnused: true });
    own.forEach((p, k) => addGrad(p, gs[wrt.length + k]!));
    return flatten(gs.slice(0, wrt.length));
  });
}

/** The parameters that take gradients (frozen ones are left alone). */
export function trainable<P extends Tensor>(params: readonly P[]): P[] {
  return params.filter((p) => p.requiresGrad);
}
