/**
 * Inter-task affinity measured during training.
 *
 * Lookahead affinity (Fifty, Amid, Zhao, Yu, Anil & Finn 2021, "Efficiently identifying task
 * groupings for multi-task learning", TAG): take a gradient step on the shared parameters with task
 * i's loss alone, θ' = θ − η·∇θ L_i, and see what it does to every task j on the same batch:
 *   Z_{i→j} = 1 − L_j(θ') / L_j(θ).
 * Z_{i→j} > 0: training on i helps j; < 0: it hurts j. The lookahead changes the shared parameters
 * only (each task keeps its head), and the parameters are put back afterwards.
 *
 * Gradient cosine: cos(∇θ L_i, ∇θ L_j) over the shared parameters, from the same gradients; it
 * says whether the tasks pull the trunk the same way, TAG whether that helps.
 *
 * Entries involving a task absent from the batch (loss 0, zero gradient) are NaN.
 *
 * @example
 * const m = measureAffinity({ tasks: ['a', 'b'], sharedParams: trunk.parameters(), losses: () => lossesOn(batch) }, { lr: 0.1 });
 * m.lookahead[0][1]; // effect of a step on a's gradient on b's loss
 * m.cosine[0][1];
 */
import { ValueError } from '../core/errors.js';
import { dot } from '../core/linalg.js';
import type { Parameter } from '../nn/index.js';
import { grad, noGrad, type Tensor } from '../tensor/index.js';

/** What a measurement needs: the tasks, the shared parameters, and the losses on a fixed batch. */
export interface AffinityProbe {
  tasks: readonly string[];
  sharedParams: readonly Parameter[];
  /** Each task's scalar loss on the probe batch for the parameters' current values (recomputed per call). */
  losses: () => Readonly<Record<string, Tensor>>;
}

export interface AffinityOptions {
  /** Size η of the lookahead step (a plain gradient step, as in the paper's definition). */
  lr: number;
}

/** T×T matrices, row i = the task whose gradient is used. */
export interface AffinityMeasurement {
  lookahead: number[][];
  cosine: number[][];
}

function lossValues(tasks: readonly string[], losses: Readonly<Record<string, Tensor>>): number[] {
  return tasks.map((t) => {
    const l = losses[t];
    if (l === undefined || l.size !== 1)
      throw new ValueError('measureAffinity', `losses() must give a scalar for task '${t}'`);
    return l.item();
  });
}

/**
 * One TAG lookahead and gradient-cosine measurement.
 *
 * @example
 * measureAffinity(probe, { lr: 0.05 }).lookahead; // [[z_aa, z_ab], [z_ba, z_bb]]
 */
export function measureAffinity(probe: AffinityProbe, opts: AffinityOptions): AffinityMeasurement {
  if (!(Number.isFinite(opts.lr) && opts.lr > 0))
    throw new ValueError('measureAffinity', `lr must be a positive number, got ${opts.lr}`);
  const { tasks } = probe;
  const params = probe.sharedParams.filter((p) => p.requiresGrad);
  if (params.length === 0) throw new ValueError('measureAffinity', 'no shared parameter requires grad');
  const losses = probe.losses();
  const before = lossValues(tasks, losses);
  const grads = tasks.map((t, i) => {
    const l = losses[t]!;
    if (!l.requiresGrad || before[i] === 0) return null;
    return grad([l], params, {
      retainGraph: tasks.slice(i + 1).some((u) => losses[u]!.requiresGrad),
      allowUnused: true,
    });
  });
  const norms = grads.map((g) => (g === null ? 0 : Math.sqrt(g.reduce((s, t) => s + dot(t.data, t.data), 0))));
  const n = tasks.length;
  const nanRow = (): number[] => new Array<number>(n).fill(NaN);
  const cosine = tasks.map(() => nanRow());
  const lookahead = tasks.map(() => nanRow());
  for (let i = 0; i < n; i++) {
    const gi = grads[i];
    if (gi === null || gi === undefined || norms[i] === 0) continue;
    for (let j = 0; j < n; j++) {
      const gj = grads[j];
      if (gj === null || gj === undefined || norms[j] === 0) continue;
      cosine[i]![j] = gi.reduce((s, t, k) => s + dot(t.data, gj[k]!.data), 0) / (norms[i]! * norms[j]!);
    }
    const after = lookaheadLosses(probe, params, gi, opts.lr);
    for (let j = 0; j < n; j++) if (before[j] !== 0) lookahead[i]![j] = 1 - after[j]! / before[j]!;
  }
  return { lookahead, cosine };
}

/** The losses after θ ← θ − lr·g on the shared parameters; θ is restored before returning. */
function lookaheadLosses(
  probe: AffinityProbe,
  params: readonly Parameter[],
  g: readonly Tensor[],
  lr: number,
): number[] {
  const saved = params.map((p) => p.data);
  try {
    params.forEach((p, k) => {
      const gk = g[k]!.data;
      p.data = Float32Array.from(saved[k]!, (v, e) => v - lr * gk[e]!);
    });
    return noGrad(() => lossValues(probe.tasks, probe.losses()));
  } finally {
    params.forEach((p, k) => {
      p.data = saved[k]!;
    });
  }
}
