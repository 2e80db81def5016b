/**
 * Planted truths for the transfer study's verdict, with real (tiny) training: answers known by
 * construction, each reached through the whole study (pre-training with its validation split,
 * fine-tuning with early stopping, the paired interval, the gates).
 * - a source that is the target task itself (other images of the same 8×8 digits): `helps`;
 * - the same case with two seeds: `inconclusive` (seed noise: the gain is positive on both seeds,
 *   but two seeds give an interval that still covers 0, so neither the sign of the mean nor the
 *   interval's upper end may decide `helps`);
 * - a source of noise images with random labels: never `helps`; it is `inconclusive` because the
 *   source model is not better than chance on its own held-out task (the source-accuracy gate).
 * The digits are the 1,000 real 8×8 digits of examples/digits-tasks (sklearn's, CC BY 4.0): 600
 * as the source, the other 400 as the target, so no target test image is pre-trained on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import { verdictText } from '../../src/study/index.js';
import { runTransferStudy, type TransferStudyInput } from '../../src/transfer/index.js';

const DIGITS = new URL('../../../examples/digits-tasks/digits.csv', import.meta.url);

/** The digits as rows of 64 pixels in [0, 1] and a label. */
function digits(): { x: number[][]; y: number[] } {
  const [header, ...lines] = readFileSync(DIGITS, 'utf8').trim().split('\n');
  const cols = header!.split(',');
  const label = cols.indexOf('digit');
  const rows = lines.map((l) => l.split(','));
  return {
    x: rows.map((r) => r.slice(0, 64).map((v) => Number(v) / 16)),
    y: rows.map((r) => Number(r[label])),
  };
}

/** Writes rows as a CSV with columns p0..p63 and label; returns its path. */
function writeTable(file: string, x: readonly number[][], y: readonly number[]): string {
  const head = [...x[0]!.map((_, j) => `p${j}`), 'label'].join(',');
  writeFileSync(file, [head, ...x.map((r, i) => [...r.map((v) => v.toFixed(4)), y[i]].join(','))].join('\n') + '\n');
  return file;
}

/** The study on `sourceFile` → the target digits, MLP 64 → 32, 5 labels per class (1 of them validation). */
function config(dir: string, sourceFile: string, seeds: number[]): TransferStudyInput {
  return {
    model: { arch: 'mlp', hidden: [32] },
    source: {
      data: { source: 'csv', file: sourceFile, label: 'label', numClasses: 10 },
      samples: 'all',
      epochs: 200,
      patience: 4,
      lr: 1e-2,
    },
    target: { data: { source: 'csv', file: join(dir, 'target.csv'), label: 'label', numClasses: 10 }, budgets: [5] },
    fineTune: { strategies: ['scratch', 'full'], seeds, minEpochs: 400, epochBudget: 400, patience: 20, lr: 1e-2 },
  };
}

test('planted truths, transfer with real training: the target task as source helps, two seeds are inconclusive, a noise source is not learnt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-transfer-planted-'));
  try {
    const { x, y } = digits();
    const same = writeTable(join(dir, 'same.csv'), x.slice(0, 600), y.slice(0, 600));
    writeTable(join(dir, 'target.csv'), x.slice(600), y.slice(600));
    const rng = new Rng(7);
    const noise = writeTable(
      join(dir, 'noise.csv'),
      x.slice(0, 600).map((r) => r.map(() => rng.uniform())),
      y.slice(0, 600).map(() => Math.floor(rng.uniform() * 10)),
    );

    const helps = await runTransferStudy(config(dir, same, [0, 1, 2]));
    const v = helps.verdict;
    assert.equal(v.outcome, 'helps', verdictText(v).join('\n'));
    assert.equal(v.because, null);
    assert.ok(v.effect !== null && v.effect.low > 0 && v.effect.n === 3, JSON.stringify(v.effect));
    const src = v.reasons.find((r) => r.check === 'source adequate')!;
    assert.ok(src.passed && typeof src.value === 'number' && src.value > 0.8, `source accuracy ${src.value}`);
    const conv = v.reasons.find((r) => r.check === 'converged')!;
    assert.ok(conv.passed, conv.detail);
    assert.match(conv.detail, /on a validation split/);

    const two = await runTransferStudy(config(dir, same, [0, 1]));
    const tv = two.verdict;
    assert.equal(tv.outcome, 'inconclusive', verdictText(tv).join('\n'));
    assert.equal(tv.because, 'seed noise');
    assert.ok(
      tv.effect !== null && tv.effect.n === 2 && tv.effect.estimate > 0 && tv.effect.low < 0 && tv.effect.high > 0,
      `two seeds gain and still decide nothing: ${JSON.stringify(tv.effect)}`,
    );
    assert.ok(tv.next.some((n) => n.startsWith('more seeds')));

    const fromNoise = await runTransferStudy(config(dir, noise, [0, 1, 2]));
    const nv = fromNoise.verdict;
    assert.notEqual(nv.outcome, 'helps');
    assert.equal(nv.outcome, 'inconclusive', verdictText(nv).join('\n'));
    assert.equal(nv.because, 'source not learnt');
    const noiseSource = nv.reasons.find((r) => r.check === 'source adequate')!;
    assert.ok(!noiseSource.passed && typeof noiseSource.value === 'number' && noiseSource.value < 0.3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
