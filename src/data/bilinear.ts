/**
 * Bilinear resampling with half-pixel centres (PyTorch's `interpolate(mode='bilinear',
 * align_corners=False)` without antialiasing): output pixel (y, x) samples the box at
 * ((y + ½)·boxH/outH − ½, (x + ½)·boxW/outW − ½), clamped to the box, so the box's extent maps onto
 * the new grid rather than its corner pixels. One channel per call; a box of the whole image is a
 * plain resize, a smaller one a crop-and-resize (RandomResizedCrop).
 *
 * @example
 * const out = new Float32Array(1);
 * resampleBilinear(Float32Array.of(0, 1, 2, 3), 0, 2, { top: 0, left: 0, height: 2, width: 2 }, out, 0, 1, 1);
 * out; // Float32Array [1.5]
 */

/** A rectangle of an image, in pixels. */
export interface Box {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * Resamples `box` of the row-major image at `src[srcAt..]` (rows `srcStride` apart) to
 * `outH × outW`, written row-major at `dst[dstAt..]`.
 *
 * @example
 * resampleBilinear(image, 0, 28, { top: 4, left: 4, height: 20, width: 20 }, out, 0, 28, 28);
 */
export function resampleBilinear(
  src: ArrayLike<number>,
  srcAt: number,
  srcStride: number,
  box: Box,
  dst: Float32Array,
  dstAt: number,
  outH: number,
  outW: number,
): void {
  const sy = box.height / outH;
  const sx = box.width / outW;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), box.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, box.height - 1);
    const wy = fy - y0;
    const rowA = srcAt + (box.top + y0) * srcStride + box.left;
    const rowB = srcAt + (box.top + y1) * srcStride + box.left;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), box.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, box.width - 1);
      const wx = fx - x0;
      const top = src[rowA + x0]! * (1 - wx) + src[rowA + x1]! * wx;
      const bottom = src[rowB + x0]! * (1 - wx) + src[rowB + x1]! * wx;
      dst[dstAt + y * outW + x] = top * (1 - wy) + bottom * wy;
    }
  }
}
