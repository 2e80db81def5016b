/**
 * Image files as the float32 rows a model takes ([N, C, H, W] flattened): decoded now (sharp, on
 * worker threads for many files: decode-many.ts) or read from the decoded cache, scaled to
 * [0, 1] and normalised when asked. The same path serves training, evaluation and `polytask predict`, so a run predicts on
 * exactly the pixels it was trained on (less the augmentation).
 *
 * @example
 * const x = await imageRows(['a.png', 'b.jpg'], { height: 32, width: 32, resize: 'crop', channels: 3 });
 * x.length; // 2 × 3 × 32 × 32
 */
import { openIdx } from '../idx.js';
import { checkAllocation, readLimits, type ReadLimits } from '../read-limits.js';
import { decodedCache } from './cache.js';
import type { ImageSpec } from './decode.js';
import { decodeMany } from './decode-many.js';
import { normalizeRows, toUnit, type Normalize } from './pixels.js';
import type { ImageEntry } from './scan.js';

/** Values per image of the spec. */
export const rowSizeOf = (spec: ImageSpec): number => spec.channels * spec.height * spec.width;

/**
 * Decodes `files` into float32 rows.
 *
 * @example
 * await imageRows(files, spec, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
 */
export async function imageRows(
  files: readonly string[],
  spec: ImageSpec,
  normalize?: Normalize,
  limits: ReadLimits = readLimits(),
): Promise<Float32Array> {
  const size = rowSizeOf(spec);
  checkAllocation(files[0] ?? 'images', files.length * size * 4, limits, `${files.length} images as float32`);
  const out = new Float32Array(files.length * size);
  await decodeMany(files, spec, (i, px) => toUnit(px, out, i * size));
  if (normalize !== undefined) normalizeRows(out, spec.channels, spec.height * spec.width, normalize);
  return out;
}

/**
 * Chosen rows of a split through its decoded cache (written first when absent: every image of
 * the split is decoded once).
 *
 * @example
 * await cachedImageRows(folder.train, [0, 5], spec);
 */
export async function cachedImageRows(
  entries: readonly ImageEntry[],
  indices: ArrayLike<number>,
  spec: ImageSpec,
  normalize?: Normalize,
): Promise<Float32Array> {
  const out = openIdx(await decodedCache(entries, spec)).read(indices, 1 / 255);
  if (normalize !== undefined) normalizeRows(out, spec.channels, spec.height * spec.width, normalize);
  return out;
}
