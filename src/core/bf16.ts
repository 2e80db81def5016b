/**
 * Rounding of float32 values to bfloat16 (kept in float32 storage): round to nearest even, NaN
 * stays NaN (made quiet), ±Infinity stays, and float32 subnormals become signed zero, bit for bit
 * what AVX512-BF16's VCVTNEPS2BF16 and the native scalar `round_to_bf16` do
 * (native/kernels/gemm_bf16.h). The JS backend's bf16 matmul rounds its operands with it.
 *
 * @example
 * roundToBf16(new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8])); // [1, 1.015625] (ties to even)
 */

/** A copy of `src` (or `dst`, filled) with every value rounded to bfloat16. */
export function roundToBf16(src: Float32Array, dst: Float32Array = new Float32Array(src.length)): Float32Array {
  dst.set(src);
  const u = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < u.length; i++) {
    const x = u[i]!;
    const exp = x & 0x7f800000;
    if (exp === 0x7f800000) {
      if ((x & 0x007fffff) !== 0) u[i] = (x | 0x00400000) & 0xffff0000; // NaN: quiet, payload's top kept
    } else if (exp === 0) {
      u[i] = x & 0x80000000; // zero or subnormal: signed zero
    } else {
      u[i] = (x + 0x7fff + ((x >>> 16) & 1)) & 0xffff0000; // ties to even; the largest values round to Infinity
    }
  }
  return dst;
}
