/**
 * Segmentation by the column ink profile: find the digits of a written number as runs of inked
 * columns, then cut each out and centre it in a cell of its own, as a digit classifier expects.
 * Rules over pixel arrays, not tensor ops: no gradient flows through the cut (none is needed,
 * since no stage before it learns).
 *
 * @example
 * const runs = locateSegments(columnInk(image, 28, 84), 3); // [[9, 24], [30, 41], [50, 66]]
 * const cells = locateDigits(batch, 3, 28);                 // [B,1,28,84] → [B,3,1,28,28]
 */
import { ShapeError, ValueError } from '../core/errors.js';
import { Tensor } from '../tensor/index.js';
import { ruleStage, type Stage } from './stage.js';

/** Columns [start, end) of an image. */
export type ColumnRange = readonly [start: number, end: number];

/**
 * The total ink (sum of pixel values) of each column of a height × width image stored at `offset`.
 *
 * @example
 * columnInk(Float32Array.of(0, 1, 0, 1), 2, 2); // Float64Array [0, 2]
 */
export function columnInk(pixels: Float32Array, height: number, width: number, offset = 0): Float64Array {
  const ink = new Float64Array(width);
  for (let r = 0; r < height; r++) {
    const row = offset + r * width;
    for (let c = 0; c < width; c++) ink[c]! += pixels[row + c]!;
  }
  return ink;
}

/**
 * Maximal runs of consecutive columns whose ink exceeds `threshold`.
 *
 * @example
 * inkRuns(Float64Array.of(0, 2, 3, 0, 0, 1), 0); // [[1, 3], [5, 6]]
 */
export function inkRuns(ink: ArrayLike<number>, threshold = 0): ColumnRange[] {
  const runs: ColumnRange[] = [];
  let start = -1;
  for (let c = 0; c <= ink.length; c++) {
    const inked = c < ink.length && ink[c]! > threshold;
    if (inked && start < 0) start = c;
    if (!inked && start >= 0) {
      runs.push([start, c]);
      start = -1;
    }
  }
  return runs;
}

/** `count` equal strips of the whole width: the answer when the profile says nothing useful. */
function equalStrips(width: number, count: number): ColumnRange[] {
  return Array.from(
    { length: count },
    (_, i) => [Math.round((i * width) / count), Math.round(((i + 1) * width) / count)] as const,
  );
}

/**
 * Exactly `count` column ranges, left to right, from the ink profile: the runs of inked columns,
 * where a stroke broken by a blank column is rejoined (the two runs closest together are merged
 * until `count` remain) and digits that touch are parted (the widest run is cut at its faintest
 * column in its middle half until `count` exist). A blank image gives equal strips.
 *
 * @example
 * locateSegments(Float64Array.of(1, 1, 0, 1, 0, 0, 0, 2, 2), 2); // [[0, 4], [7, 9]]
 */
export function locateSegments(ink: ArrayLike<number>, count: number, threshold = 0): ColumnRange[] {
  if (!Number.isInteger(count) || count < 1)
    throw new ValueError('locateSegments', `count must be a positive integer, got ${count}`);
  const runs = inkRuns(ink, threshold).map(([s, e]) => [s, e] as [number, number]);
  if (runs.length === 0) return equalStrips(ink.length, count);
  while (runs.length > count) {
    let best = 0;
    for (let i = 1; i < runs.length - 1; i++) {
      if (runs[i + 1]![0] - runs[i]![1] < runs[best + 1]![0] - runs[best]![1]) best = i;
    }
    runs.splice(best, 2, [runs[best]![0], runs[best + 1]![1]]);
  }
  while (runs.length < count) {
    let widest = 0;
    for (let i = 1; i < runs.length; i++)
      if (runs[i]![1] - runs[i]![0] > runs[widest]![1] - runs[widest]![0]) widest = i;
    const [s, e] = runs[widest]!;
    if (e - s < 2) return equalStrips(ink.length, count);
    const lo = s + Math.max(1, Math.floor((e - s) / 4));
    const hi = Math.max(lo + 1, e - Math.floor((e - s) / 4));
    let cut = lo;
    for (let c = lo; c < hi; c++) if (ink[c]! < ink[cut]!) cut = c;
    runs.splice(widest, 1, [s, cut], [cut, e]);
  }
  return runs;
}

/**
 * Copies columns [start, end) of a height × width image (at `offset`) into the middle of a
 * height × cellWidth cell (a range wider than the cell keeps its central columns).
 *
 * @example
 * const cell = centerColumns(pixels, 28, 84, [30, 41], 28); // Float32Array(28 * 28)
 */
export function centerColumns(
  pixels: Float32Array,
  height: number,
  width: number,
  range: ColumnRange,
  cellWidth: number,
  out = new Float32Array(height * cellWidth),
  outOffset = 0,
  offset = 0,
): Float32Array {
  const [start, end] = range;
  const take = Math.min(end - start, cellWidth);
  const from = start + Math.floor((end - start - take) / 2);
  const to = Math.floor((cellWidth - take) / 2);
  for (let r = 0; r < height; r++) {
    const src = offset + r * width + from;
    out.set(pixels.subarray(src, src + take), outOffset + r * cellWidth + to);
  }
  return out;
}

/**
 * One handwritten digit re-centred as the locate rule centres what it cuts out: its inked columns
 * in the middle of a cell of the same width. A classifier trained on digits passed through this
 * sees at training time what the pipeline shows it.
 *
 * @example
 * const normal = centerDigit(mnist.images.subarray(0, 784), 28, 28);
 */
export function centerDigit(pixels: Float32Array, height: number, width: number): Float32Array {
  const runs = inkRuns(columnInk(pixels, height, width));
  if (runs.length === 0) return pixels.slice(0, height * width);
  return centerColumns(pixels, height, width, [runs[0]![0], runs[runs.length - 1]![1]], width);
}

/**
 * Finds `count` digits in each single-channel image of a batch [B, 1, H, W] and returns them
 * cut out and centred: [B, count, 1, H, cellWidth].
 *
 * @example
 * locateDigits(numbers, 3, 28).shape; // [B, 3, 1, 28, 28]
 */
export function locateDigits(x: Tensor, count: number, cellWidth: number): Tensor {
  const [b, c, h, w] = x.shape;
  if (x.ndim !== 4 || c !== 1)
    throw new ShapeError('locateDigits', `expected single-channel images [B,1,H,W], got [${x.shape.join(',')}]`);
  const pixels = x.toFloat().data as Float32Array;
  const cell = h! * cellWidth;
  const out = new Float32Array(b! * count * cell);
  for (let i = 0; i < b!; i++) {
    const offset = i * h! * w!;
    const ranges = locateSegments(columnInk(pixels, h!, w!, offset), count);
    ranges.forEach((range, k) => centerColumns(pixels, h!, w!, range, cellWidth, out, (i * count + k) * cell, offset));
  }
  return new Tensor(out, [b!, count, 1, h!, cellWidth]);
}

/**
 * A rule stage locating `count` digits in images of `shape` [1, H, W] by their ink profile.
 *
 * @example
 * const locate = locateStage([1, 28, 84], 3, 28);
 * locate.output; // sequence of 3 × image [1,28,28]
 */
export function locateStage(shape: readonly [number, number, number], count: number, cellWidth: number): Stage {
  if (shape[0] !== 1) throw new ShapeError('locateStage', `needs single-channel images, got [${shape.join(',')}]`);
  return ruleStage({
    name: `locate ${count} digits`,
    input: { kind: 'image', shape },
    output: { kind: 'sequence', length: count, item: { kind: 'image', shape: [1, shape[1], cellWidth] } },
    run: (x) => locateDigits(x, count, cellWidth),
  });
}
