/**
 * The storage a backward pass allocates for itself, handed back to the storage pool as soon as
 * the pass has consumed it instead of when the collector gets round to it (issue 18: a training
 * step in steady state should touch no fresh page, whenever the collector runs).
 *
 * What backward allocates and nobody else can see: the gradient of each intermediate tensor
 * (dead once its node has run), the temporaries of a node's backward (a broadcast product before
 * it is summed down, say), and the partial sums of accumulation. What it must keep: whatever it
 * hands to the caller (a leaf's `.grad`, `grad()`'s results), and anything not allocated during
 * the pass (a gradient the caller passed in, forward activations, parameters). So a buffer is
 * released only when (1) it was allocated while the pass ran (the storage watcher of
 * core/dtype.ts reports each pooled allocation), (2) no gradient the pass still holds views it
 * (gradients are counted per ArrayBuffer, so a reshape or a pass-through such as `add`'s, which
 * hands back the very tensor it was given, keeps the buffer alive), and (3) the caller is not
 * given it. Backward closures are polytask's own (`record` is not public) and keep nothing they
 * allocate beyond what they return. A released buffer is detached, so a reference that survived
 * anyway reads an empty array, never the values of the buffer's next owner.
 *
 * Without a release (the JS backend, or POLYTASK_POOL_MAX_MB=0) every method is a cheap no-op.
 *
 * @example
 * const storage = new BackwardStorage();
 * try {
 *   storage.hold(seed);
 *   // per node: ins = backward(g); hold/drop as gradients enter and leave the map
 *   storage.sweep([g]);
 * } finally {
 *   storage.finish(results); // releases what is left unless a result views it
 * }
 */
import { releaseStorage, watchStorage, type StorageWatcher } from '../core/dtype.js';
import type { Tensor } from './tensor.js';

export class BackwardStorage {
  /** Pooled buffers allocated during the pass and not yet released. */
  readonly #fresh = new Set<ArrayBuffer>();
  /** How many gradients the pass holds over each fresh buffer. */
  readonly #refs = new Map<ArrayBuffer, number>();
  /** Fresh buffers allocated since the last sweep. */
  #recent: ArrayBuffer[] = [];
  readonly #prev: StorageWatcher | null;
  /** False inside another pass's watch (never in polytask itself): the outer pass then owns everything. */
  readonly #active: boolean;
  #finished = false;

  constructor() {
    this.#prev = watchStorage((b) => {
      this.#fresh.add(b);
      this.#recent.push(b);
    });
    this.#active = this.#prev === null;
    if (!this.#active) watchStorage(this.#prev);
  }

  /** Counts a gradient the pass now holds (a no-op for storage it did not allocate). */
  hold(t: Tensor): void {
    const b = t.data.buffer as ArrayBuffer;
    if (this.#fresh.has(b)) this.#refs.set(b, (this.#refs.get(b) ?? 0) + 1);
  }

  /** Uncounts a gradient the pass no longer holds. */
  drop(t: Tensor): void {
    const b = t.data.buffer as ArrayBuffer;
    const n = this.#refs.get(b);
    if (n === undefined) return;
    if (n <= 1) this.#refs.delete(b);
    else this.#refs.set(b, n - 1);
  }

  /**
   * Releases the buffers allocated since the last sweep and those of `dropped` (gradients the
   * pass just let go of) that no held gradient views.
   */
  sweep(dropped: readonly Tensor[]): void {
    if (!this.#active) return;
    for (const b of this.#recent) this.#releaseIfFree(b);
    this.#recent = [];
    for (const t of dropped) this.#releaseIfFree(t.data.buffer as ArrayBuffer);
  }

  /**
   * Ends the pass: stops watching allocations and releases every buffer it allocated that none of
   * `kept` (what the caller receives) views. Call it once, in a `finally`; after an error (`kept`
   * null) it releases nothing.
   */
  finish(kept: readonly Tensor[] | null): void {
    if (this.#finished) return;
    this.#finished = true;
    if (!this.#active) return;
    watchStorage(this.#prev);
    if (kept === null) return;
    const keep = new Set(kept.map((t) => t.data.buffer as ArrayBuffer));
    for (const b of this.#fresh) if (!keep.has(b)) releaseStorage(b);
    this.#fresh.clear();
    this.#refs.clear();
  }

  #releaseIfFree(b: ArrayBuffer): void {
    if (!this.#fresh.has(b) || this.#refs.has(b)) return;
    this.#fresh.delete(b);
    releaseStorage(b);
  }
}
