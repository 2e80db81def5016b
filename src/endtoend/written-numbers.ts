/**
 * The number-reading task: `count` handwritten digits written left to right on one canvas, with
 * irregular spacing, labelled with the number they write (0..10^count − 1). Each digit keeps its
 * inked columns only and is placed after a random gap, so finding the digits takes a rule (or a
 * model), as finding the bones in a hand X-ray does before reading an age from them.
 *
 * @example
 * const set = writtenNumbers(pools.train, 500, 3);   // shape [1, 28, 84]
 * set.targets[0] === 100 * set.digits[0] + 10 * set.digits[1] + set.digits[2]; // true
 */
import { ShapeError, ValueError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { ImageSet } from '../data/index.js';
import type { CompositeSet } from './composite.js';
import { columnInk, inkRuns, type ColumnRange } from './locate.js';

export interface WrittenNumberOptions {
  /** Digits per number. Default 3. */
  count?: number;
  /** Canvas width in pixels. Default count × the digit width. */
  width?: number;
  /** Largest blank gap between two digits, in columns (the smallest is 2). Default 8. */
  maxGap?: number;
}

/** The inked columns of a digit: from its first to its last column holding any ink. */
function inkExtent(pool: ImageSet, k: number): ColumnRange {
  const runs = inkRuns(columnInk(pool.images, pool.height, pool.width, k * pool.height * pool.width));
  return runs.length === 0 ? [0, pool.width] : [runs[0]![0], runs[runs.length - 1]![1]];
}

/**
 * `n` numbers of `count` digits from `pool`, with their values as float32 targets.
 *
 * @example
 * const test = writtenNumbers(pools.test, 1000, 99, { count: 3 });
 */
export function writtenNumbers(pool: ImageSet, n: number, seed: number, opts: WrittenNumberOptions = {}): CompositeSet {
  const count = opts.count ?? 3;
  const width = opts.width ?? count * pool.width;
  const maxGap = opts.maxGap ?? 8;
  if (!Number.isInteger(n) || n < 0)
    throw new ValueError('writtenNumbers', `n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(count) || count < 1 || count > 9)
    throw new ValueError('writtenNumbers', `count must be an integer in [1, 9], got ${count}`);
  if (!Number.isInteger(maxGap) || maxGap < 2)
    throw new ValueError('writtenNumbers', `maxGap must be an integer ≥ 2, got ${maxGap}`);
  if (pool.n === 0) throw new ValueError('writtenNumbers', 'the pool holds no digits');
  const h = pool.height;
  const rng = new Rng(seed);
  const images = new Float32Array(n * h * width);
  const targets = new Float32Array(n);
  const digits = new Int32Array(count * n);
  const sources = new Int32Array(count * n);
  for (let i = 0; i < n; i++) {
    const picks = Array.from({ length: count }, () => rng.int(pool.n));
    const extents = picks.map((k) => inkExtent(pool, k));
    const inked = extents.reduce((s, [a, b]) => s + b - a, 0);
    const free = width - inked;
    if (free < 2 * (count - 1))
      throw new ShapeError(
        'writtenNumbers',
        `${count} digits ${inked} columns wide with gaps of 2 do not fit a canvas ${width} wide`,
      );
    const gapMax = Math.min(maxGap, Math.floor(free / Math.max(1, count - 1)));
    const gaps = Array.from({ length: count - 1 }, () => 2 + rng.int(gapMax - 1));
    let col = rng.int(free - gaps.reduce((s, g) => s + g, 0) + 1);
    let value = 0;
    picks.forEach((k, d) => {
      const [a, b] = extents[d]!;
      for (let r = 0; r < h; r++) {
        const src = (k * h + r) * pool.width;
        images.set(pool.images.subarray(src + a, src + b), (i * h + r) * width + col);
      }
      col += b - a + (gaps[d] ?? 0);
      sources[i * count + d] = k;
      digits[i * count + d] = pool.labels[k]!;
      value = 10 * value + pool.labels[k]!;
    });
    targets[i] = value;
  }
  return { n, shape: [1, h, width], images, targets, digits, sources };
}
