/**
 * Bilinear resizing of one grey-scale image, with half-pixel centres (PyTorch's
 * `interpolate(mode='bilinear', align_corners=False)` without antialiasing): output pixel (y, x)
 * samples the input at ((y + ½)·inH/outH − ½, (x + ½)·inW/outW − ½), clamped to the image, so
 * the image's extent maps onto the new grid rather than its corner pixels.
 *
 * @example
 * resizeBilinear(canvas, 36, 36, 28, 28); // Float32Array(784)
 */
import { ValueError } from '../../core/errors.js';
import { resampleBilinear } from '../../data/bilinear.js';

/**
 * A `outH × outW` resampling of the row-major `inH × inW` image `src`.
 *
 * @example
 * resizeBilinear(Float32Array.of(0, 1, 2, 3), 2, 2, 1, 1); // [1.5]
 */
export function resizeBilinear(
  src: ArrayLike<number>,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
): Float32Array {
  for (const [name, v] of [
    ['inH', inH],
    ['inW', inW],
    ['outH', outH],
    ['outW', outW],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new ValueError('resizeBilinear', `${name} must be a positive integer, got ${v}`);
  }
  if (src.length !== inH * inW)
    throw new ValueError('resizeBilinear', `image has ${src.length} pixels, expected ${inH}×${inW} = ${inH * inW}`);
  const out = new Float32Array(outH * outW);
  resampleBilinear(src, 0, inW, { top: 0, left: 0, height: inH, width: inW }, out, 0, outH, outW);
  return out;
}

/**
 * Draws `src` (h × w) onto `canvas` (width `canvasW`) with its top-left corner at (top, left),
 * keeping the brighter value where they overlap (how overlapping strokes combine on paper).
 *
 * @example
 * pasteMax(canvas, 36, digit, 28, 28, 6, 6);
 */
export function pasteMax(
  canvas: Float32Array,
  canvasW: number,
  src: ArrayLike<number>,
  h: number,
  w: number,
  top: number,
  left: number,
): void {
  const canvasH = canvas.length / canvasW;
  if (top < 0 || left < 0 || top + h > canvasH || left + w > canvasW) {
    throw new ValueError(
      'pasteMax',
      `a ${h}×${w} image at (${top}, ${left}) does not fit a ${canvasH}×${canvasW} canvas`,
    );
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = (top + y) * canvasW + left + x;
      const v = src[y * w + x]!;
      if (v > canvas[k]!) canvas[k] = v;
    }
  }
}
