/**
 * Planted truths for the end-to-end study, with real (tiny) training: cases whose answer is known
 * by construction, run through the whole study.
 * - The pipeline's hand-written first stage keeps only x0 and x1, but the label is [x0 + x2 > 0]:
 *   the stage throws away what the label needs (its best error is 25%), so with a few hundred
 *   examples end to end must win.
 * - The pipeline is one exact rule: it must win (or tie) at a handful of examples.
 * - The same lossy case with one seed: end to end is ahead on it, but one seed gives no interval,
 *   so the verdict is `inconclusive: seed noise`, never a winner read off the mean.
 * - The same lossy case stopped after a few steps, while its validation loss still falls: the
 *   verdict must be `inconclusive: under-trained`, with the measured share of unconverged runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { TensorDataset } from '../../src/data/index.js';
import {
  classNll,
  EndToEndModel,
  errorRate,
  learnedStage,
  mlp,
  Pipeline,
  ruleStage,
  runE2eStudy,
  type E2eStudyInput,
  type EndToEndCase,
} from '../../src/endtoend/index.js';
import { stack } from '../../src/tensor/index.js';

const X = { kind: 'features', shape: [4] } as const;
const KEPT = { kind: 'features', shape: [2] } as const;
const Y = { kind: 'classes', n: 2 } as const;

interface Pools {
  train: Float32Array;
  test: Float32Array;
}

/** Standard normal features [n, 4]; the label is [x0 + x2 > 0]. */
const label = (x: Float32Array, i: number): number => (x[4 * i]! + x[4 * i + 2]! > 0 ? 1 : 0);
const normals = (n: number, seed: number): Float32Array => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: 4 * n }, () => rng.normal());
};
/** n rows drawn (with replacement) from a pool, the first `keep` features of each. */
function draw(pool: Float32Array, n: number, seed: number, keep = 4): TensorDataset {
  const rng = new Rng(seed);
  const rows = pool.length / 4;
  const x = new Float32Array(n * keep);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = rng.int(rows);
    x.set(pool.subarray(4 * k, 4 * k + keep), i * keep);
    y[i] = label(pool, k);
  }
  return new TensorDataset(x, [keep], y);
}

const common = {
  description: 'four Gaussian features → [x0 + x2 > 0]',
  metric: 'error rate',
  input: X,
  output: Y,
  defaultSubtaskExamples: 200,
  pools: (seed: number): Pools => ({ train: normals(2000, seed), test: normals(1000, seed + 1) }),
  examples: (p: Pools, part: 'train' | 'test', n: number, seed: number) => draw(p[part], n, seed),
  endToEnd: (hidden: number) => new EndToEndModel(mlp(4, hidden, 2), Y),
  loss: classNll,
  error: errorRate,
};

/** The pipeline keeps x0 and x1 (a rule), then classifies from them (learned on its own labelled data). */
const lossy: EndToEndCase<Pools> = {
  ...common,
  name: 'lossy-crop',
  defaultSizes: [50, 100, 200, 400],
  pipeline: (hidden) =>
    new Pipeline([
      ruleStage({ name: 'keep x0, x1', input: X, output: KEPT, differentiable: true, run: (x) => x.slice(1, 0, 2) }),
      learnedStage({ name: 'classifier', input: KEPT, output: Y, create: () => mlp(2, hidden, 2) }),
    ]),
  subtaskData: (p, n, seed) => ({ classifier: draw(p.train, n, seed, 2) }),
};

/** The pipeline is the label's own rule (probability 1 on the right class, up to |x0 + x2| < 1e-4). */
const exact: EndToEndCase<Pools> = {
  ...common,
  name: 'exact-rule',
  defaultSizes: [8, 16, 32],
  pipeline: () =>
    new Pipeline([
      ruleStage({
        name: 'x0 + x2 > 0',
        input: X,
        output: Y,
        run: (x) => {
          const p = x
            .slice(1, 0, 1)
            .add(x.slice(1, 2, 3))
            .mul(1e4)
            .sigmoid()
            .reshape([x.shape[0] ?? 0]);
          return stack([p.neg().add(1), p], 1);
        },
      }),
    ]),
  subtaskData: () => ({}),
};

const config: E2eStudyInput = {
  seeds: 3,
  hidden: 16,
  hybrid: false,
  bootstrap: 20,
  testExamples: 500,
  training: { batchSize: 16, lr: 1e-2, maxSteps: 600, validation: { fraction: 0.25, every: 10, patience: 5 } },
};

test('a pipeline whose rule throws away what the label needs loses to end to end given enough data', async () => {
  const r = await runE2eStudy(config, undefined, { studyCase: lossy });
  const pipeline = r.curves.pipeline[0]!.mean;
  const e2e = r.curves.endToEnd.at(-1)!.mean;
  assert.ok(pipeline > 0.15, `the cropped pipeline cannot see x2: ${pipeline}`);
  assert.ok(e2e < 0.1, `end to end on 400 examples: ${e2e}`);
  assert.equal(r.verdict.outcome, 'end-to-end', JSON.stringify(r.verdict.reasons));
  assert.equal(r.verdict.effect!.of, 'pipeline minus end-to-end at 400 examples (lower is better)');
  assert.ok(r.verdict.effect!.low > 0);
  const converged = r.verdict.reasons.find((x) => x.check === 'converged')!;
  assert.ok(converged.passed && /validation/.test(converged.detail), converged.detail);
});

test('an exact pipeline wins at a handful of examples', async () => {
  const r = await runE2eStudy(config, undefined, { studyCase: exact });
  assert.ok(r.curves.pipeline[0]!.mean < 0.01);
  assert.ok(r.curves.endToEnd[0]!.mean > 0.05, `end to end on 8 examples: ${r.curves.endToEnd[0]!.mean}`);
  assert.equal(r.verdict.outcome, 'pipeline', JSON.stringify(r.verdict.reasons));
  assert.equal(r.verdict.effect!.of, 'end-to-end minus pipeline at 32 examples (lower is better)');
});

test('one seed decides nothing, however far ahead end to end is on it', async () => {
  const r = await runE2eStudy({ ...config, seeds: 1 }, undefined, { studyCase: lossy });
  assert.ok(r.verdict.effect !== null && r.verdict.effect.estimate > 0.1 && r.verdict.effect.n === 1);
  assert.equal(r.verdict.outcome, 'inconclusive', JSON.stringify(r.verdict.reasons));
  assert.equal(r.verdict.because, 'seed noise');
  assert.ok(r.verdict.next.some((n) => n.startsWith('more seeds')));
});

test('runs stopped while their validation loss still falls make the verdict inconclusive: under-trained', async () => {
  const short = { ...config, training: { ...config.training, maxSteps: 8, validation: { every: 1, patience: 5 } } };
  const r = await runE2eStudy(short, undefined, { studyCase: lossy });
  assert.equal(r.verdict.outcome, 'inconclusive');
  assert.equal(r.verdict.because, 'under-trained', JSON.stringify(r.verdict.reasons));
  const converged = r.verdict.reasons.find((x) => x.check === 'converged')!;
  assert.equal(converged.passed, false);
  assert.ok(typeof converged.value === 'number' && converged.value > 0.25, `share still improving: ${converged.value}`);
  assert.match(converged.detail, /still improving/);
});
