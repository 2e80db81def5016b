/**
 * Finite-difference gradient checker. The function's output (any shape) is reduced to a scalar by a
 * fixed random projection R: L = sum(out * R). Autograd's gradient (`grad` with R as the output
 * gradient) is compared with central differences of L.
 *
 * The engine computes in float32, so the differences are taken carefully:
 *  - each coordinate is perturbed in float32 and divided by the perturbation actually stored
 *    (f32(x + eps) - f32(x - eps)), not by 2·eps;
 *  - the projection is summed in float64, so the only float32 noise left is the op's own rounding
 *    (about 6e-8 relative per output element); divided by 2·eps = 0.02 it stays near 1e-5 of the
 *    slope's scale for the small shapes tested, far inside atol 1e-3 / rtol 1e-2;
 *  - the truncation error of central differences is eps²/6 · f''' ≈ 2e-5 · f''', inside rtol 1e-2.
 * Measured margins (GRADCHECK_REPORT=1 in gradcheck.test.ts): the worst coordinate uses under 10%
 * of its tolerance, while a gelu derivative with one term scaled by 0.99, or a batchNorm backward
 * with one term scaled by 0.9, fails.
 * Inputs must sit away from kinks (relu at 0, max ties, clamp bounds) by more than eps; see inputs.ts.
 *
 * @example
 * gradcheck((a, b) => a.mul(b), [g.normal([3, 4]), g.normal([4])]);
 */
import { Rng } from '../../src/core/rng.js';
import { grad, noGrad, tensor, Tensor } from '../../src/tensor/index.js';

export interface GradcheckOptions {
  /** Perturbation per coordinate. Default 1e-2. */
  eps?: number;
  /** Default 1e-2. */
  rtol?: number;
  /** Default 1e-3. */
  atol?: number;
  /** Coordinates checked per input; larger inputs are sampled (fixed seed). Default 300. */
  maxPerInput?: number;
  /** Seed of the projection R and of the sampling. Default 1234. */
  seed?: number;
}

/** Float64 sum(out * r): the scalar whose gradient is checked. */
function project(out: Tensor, r: Float32Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += out.data[i]! * r[i]!;
  return s;
}

/** What a passing check measured: coordinates compared and the worst error as a fraction of its tolerance. */
export interface GradcheckReport {
  checked: number;
  worst: number;
}

/**
 * Throws (listing the first mismatches) when autograd and central differences disagree:
 * |analytic − numeric| > atol + rtol · max(|analytic|, |numeric|).
 * `inputs` are copied into fresh float32 leaves; pass int32 arguments through the closure instead.
 */
export function gradcheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts: GradcheckOptions = {},
): GradcheckReport {
  const eps = opts.eps ?? 1e-2;
  const rtol = opts.rtol ?? 1e-2;
  const atol = opts.atol ?? 1e-3;
  const maxPer = opts.maxPerInput ?? 300;
  const r = new Rng(opts.seed ?? 1234);

  const leaves = inputs.map((x) => tensor(Float32Array.from(x.data), x.shape, { requiresGrad: true }));
  const out = fn(...leaves);
  if (out.dtype !== 'float32') throw new Error(`gradcheck: output must be float32, got ${out.dtype}`);
  const proj = new Float32Array(out.size);
  for (let i = 0; i < proj.length; i++) proj[i] = r.normal();
  const analytic = grad([out], leaves, { gradOutputs: [new Tensor(proj, out.shape)], allowUnused: true });

  const failures: string[] = [];
  let checked = 0;
  let worst = 0;
  leaves.forEach((leaf, li) => {
    const data = leaf.data as Float32Array;
    const ga = analytic[li]!.data;
    const coords =
      data.length <= maxPer ? Array.from(data.keys()) : Array.from(r.permutation(data.length).subarray(0, maxPer));
    for (const j of coords) {
      const orig = data[j]!;
      data[j] = orig + eps;
      const hi = data[j]!;
      const fHi = project(
        noGrad(() => fn(...leaves)),
        proj,
      );
      data[j] = orig - eps;
      const lo = data[j]!;
      const fLo = project(
        noGrad(() => fn(...leaves)),
        proj,
      );
      data[j] = orig;
      const numeric = (fHi - fLo) / (hi - lo);
      const a = ga[j]!;
      checked++;
      const ratio = Math.abs(a - numeric) / (atol + rtol * Math.max(Math.abs(a), Math.abs(numeric)));
      worst = Math.max(worst, ratio);
      if (!(ratio <= 1)) {
        failures.push(`input ${li} [${j}] (x=${orig}): autograd ${a}, finite difference ${numeric}`);
      }
    }
  });
  if (checked === 0) throw new Error('gradcheck: no coordinates were checked');
  if (failures.length > 0) {
    throw new Error(
      `gradcheck: ${failures.length} of ${checked} coordinates differ\n${failures.slice(0, 12).join('\n')}`,
    );
  }
  return { checked, worst };
}
