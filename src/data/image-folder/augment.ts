/**
 * Training-time augmentation of image batches [N, C, H, W], as torchvision's RandomResizedCrop,
 * RandomHorizontalFlip and ColorJitter (in that order), drawn from the stream the DataLoader gives
 * each batch (so the same seed, or a resumed run, draws the same). The crop is taken from the
 * decoded H×W image and resized back to H×W bilinearly (no decode per batch). Jitter factors are
 * uniform in [max(0, 1 − v), 1 + v], applied in a random order: brightness scales, contrast blends
 * with the image's mean grey, saturation with each pixel's grey (RGB only), each clamped to
 * [0, 1]. Normalised batches are un-normalised around the jitter and normalised again.
 *
 * @example
 * const transform = imageAugmentation({ flip: true, resizedCrop: { scale: [0.5, 1], ratio: [3 / 4, 4 / 3] } }, [3, 32, 32]);
 * new DataLoader(train, { batchSize: 64, shuffle: true, seed: 0, transform });
 */
import type { Rng } from '../../core/rng.js';
import { Tensor } from '../../tensor/index.js';
import type { BatchTransform } from '../loader.js';
import { resampleBilinear } from '../bilinear.js';
import { denormalizeRows, normalizeRows, type Normalize } from './pixels.js';

/** What to augment, as the `augment:` config key takes it. */
export interface AugmentOptions {
  /** RandomResizedCrop: the crop's share of the area and its aspect ratio (width / height), each a [min, max] range. */
  resizedCrop?: { scale: readonly [number, number]; ratio: readonly [number, number] };
  /** RandomHorizontalFlip with probability 0.5. */
  flip?: boolean;
  /** ColorJitter strengths (0 = off). */
  jitter?: { brightness: number; contrast: number; saturation: number };
  /** The normalisation the batches carry, undone around the jitter. */
  normalize?: Normalize;
}

/**
 * torchvision's RandomResizedCrop.get_params: a box [top, left, height, width] of an H×W image.
 *
 * @example
 * cropBox(32, 32, [0.5, 1], [3 / 4, 4 / 3], rng); // e.g. [3, 5, 25, 24]
 */
export function cropBox(
  h: number,
  w: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  rng: Rng,
): [number, number, number, number] {
  const area = h * w;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (scale[0] + rng.uniform() * (scale[1] - scale[0]));
    const aspect = Math.exp(logLo + rng.uniform() * (logHi - logLo));
    const cw = Math.round(Math.sqrt(target * aspect));
    const ch = Math.round(Math.sqrt(target / aspect));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) return [rng.int(h - ch + 1), rng.int(w - cw + 1), ch, cw];
  }
  // the fallback: a centre crop of the whole image, clipped to the ratio range
  const inRatio = w / h;
  const [ch, cw] =
    inRatio < ratio[0] ? [Math.round(w / ratio[0]), w] : inRatio > ratio[1] ? [h, Math.round(h * ratio[1])] : [h, w];
  return [Math.floor((h - ch) / 2), Math.floor((w - cw) / 2), ch, cw];
}

/**
 * Resizes the box [top, left, ch, cw] of one C×H×W image (at `src[at..]`) back to H×W into `dst`,
 * bilinearly with half-pixel centres (PyTorch's align_corners=False).
 */
function cropResize(
  src: Float32Array,
  dst: Float32Array,
  at: number,
  [c, h, w]: readonly [number, number, number],
  [top, left, ch, cw]: readonly [number, number, number, number],
): void {
  for (let k = 0; k < c; k++) {
    const base = at + k * h * w;
    resampleBilinear(src, base, w, { top, left, height: ch, width: cw }, dst, base, h, w);
  }
}

/** Mirrors one C×H×W image left to right in place. */
function flipRow(x: Float32Array, at: number, [c, h, w]: readonly [number, number, number]): void {
  for (let k = 0; k < c * h; k++) {
    const row = at + k * w;
    for (let i = 0, j = w - 1; i < j; i++, j--) {
      const t = x[row + i]!;
      x[row + i] = x[row + j]!;
      x[row + j] = t;
    }
  }
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** torchvision's grey of an RGB pixel (0.2989, 0.587, 0.114); the value itself for one channel. */
function grey(x: Float32Array, at: number, p: number, plane: number, c: number): number {
  return c === 1 ? x[at + p]! : 0.2989 * x[at + p]! + 0.587 * x[at + plane + p]! + 0.114 * x[at + 2 * plane + p]!;
}

/** One colour-jitter step on one image in [0, 1], in place. */
function jitterStep(
  kind: 'brightness' | 'contrast' | 'saturation',
  f: number,
  x: Float32Array,
  at: number,
  [c, h, w]: readonly [number, number, number],
): void {
  const plane = h * w;
  const row = c * plane;
  if (kind === 'brightness') {
    for (let i = at; i < at + row; i++) x[i] = clamp01(x[i]! * f);
  } else if (kind === 'contrast') {
    let mean = 0;
    for (let p = 0; p < plane; p++) mean += grey(x, at, p, plane, c);
    mean /= plane;
    for (let i = at; i < at + row; i++) x[i] = clamp01(f * x[i]! + (1 - f) * mean);
  } else if (c === 3) {
    for (let p = 0; p < plane; p++) {
      const g = grey(x, at, p, plane, c);
      for (let k = 0; k < 3; k++) x[at + k * plane + p] = clamp01(f * x[at + k * plane + p]! + (1 - f) * g);
    }
  }
}

const factor = (v: number, rng: Rng): number => {
  const lo = Math.max(0, 1 - v);
  return lo + rng.uniform() * (1 + v - lo);
};

/**
 * The batch transform of the options, for images of shape [C, H, W].
 *
 * @example
 * const t = imageAugmentation({ flip: true }, [1, 28, 28]);
 * t(ds.batch([0, 1]), new Rng(0)).x.shape; // [2, 1, 28, 28]
 */
export function imageAugmentation(opts: AugmentOptions, shape: readonly [number, number, number]): BatchTransform {
  const [c, h, w] = shape;
  const size = c * h * w;
  const kinds = (['brightness', 'contrast', 'saturation'] as const).filter((k) => (opts.jitter?.[k] ?? 0) > 0);
  const identity = opts.resizedCrop === undefined && opts.flip !== true && kinds.length === 0;
  return (batch, rng) => {
    if (identity) return batch;
    const { x, y } = batch;
    const src = x.data as Float32Array;
    const out = Float32Array.from(src);
    const n = src.length / size;
    if (opts.resizedCrop !== undefined) {
      const { scale, ratio } = opts.resizedCrop;
      for (let i = 0; i < n; i++) cropResize(src, out, i * size, shape, cropBox(h, w, scale, ratio, rng));
    }
    if (opts.flip === true) for (let i = 0; i < n; i++) if (rng.uniform() < 0.5) flipRow(out, i * size, shape);
    if (kinds.length > 0) {
      if (opts.normalize !== undefined) denormalizeRows(out, c, h * w, opts.normalize);
      for (let i = 0; i < n; i++) {
        const order = rng.permutation(kinds.length);
        const factors = kinds.map((k) => factor(opts.jitter![k], rng));
        for (const j of order) jitterStep(kinds[j]!, factors[j]!, out, i * size, shape);
      }
      if (opts.normalize !== undefined) normalizeRows(out, c, h * w, opts.normalize);
    }
    return { x: new Tensor(out, x.shape), y };
  };
}
