/**
 * Decoded pixels (uint8, CHW) to the float32 values a model takes: scaled to [0, 1] and, when a
 * `normalize` is given, `(value - mean[c]) / std[c]` per channel, as torchvision's ToTensor then
 * Normalize. The augmentation (augment.ts) undoes and redoes the same normalisation.
 *
 * @example
 * const x = new Float32Array(Uint8Array.of(0, 255).length);
 * toUnit(Uint8Array.of(0, 255), x, 0);                        // x = [0, 1]
 * normalizeRows(x, 1, 2, { mean: [0.5], std: [0.5] });         // x = [-1, 1]
 */

/** Per-channel mean and standard deviation, as torchvision's Normalize takes them (values in 0..1). */
export interface Normalize {
  mean: readonly number[];
  std: readonly number[];
}

/**
 * Writes `pixels / 255` into `out` from `at`.
 *
 * @example
 * toUnit(Uint8Array.of(51), out, 0); // out[0] = 0.2
 */
export function toUnit(pixels: Uint8Array, out: Float32Array, at: number): void {
  for (let i = 0; i < pixels.length; i++) out[at + i] = pixels[i]! / 255;
}

/**
 * Normalises rows of `channels × plane` values in place: `(x - mean[c]) / std[c]`.
 *
 * @example
 * normalizeRows(x, 3, 32 * 32, { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
 */
export function normalizeRows(x: Float32Array, channels: number, plane: number, n: Normalize): void {
  const row = channels * plane;
  for (let at = 0; at < x.length; at += row)
    for (let c = 0; c < channels; c++) {
      const m = n.mean[c]!;
      const s = n.std[c]!;
      for (let p = at + c * plane, end = p + plane; p < end; p++) x[p] = (x[p]! - m) / s;
    }
}

/**
 * The inverse of {@link normalizeRows}, in place: `x * std[c] + mean[c]`.
 *
 * @example
 * denormalizeRows(x, 3, 32 * 32, norm); // back to 0..1
 */
export function denormalizeRows(x: Float32Array, channels: number, plane: number, n: Normalize): void {
  const row = channels * plane;
  for (let at = 0; at < x.length; at += row)
    for (let c = 0; c < channels; c++) {
      const m = n.mean[c]!;
      const s = n.std[c]!;
      for (let p = at + c * plane, end = p + plane; p < end; p++) x[p] = x[p]! * s + m;
    }
}
