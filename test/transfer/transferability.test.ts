import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Rng } from '../../src/core/rng.js';
import { featureSpectrum, hScore, leep, logme, nce } from '../../src/transfer/index.js';

interface RefCase {
  name: string;
  n: number;
  d: number;
  zClasses: number;
  features: number[];
  labels: number[];
  probs: number[];
  logme: number;
  leep: number;
  nce: number;
  hScore: number;
}

const ref = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/transfer/scores_reference.json', import.meta.url), 'utf8'),
) as { cases: RefCase[] };

test('the four scores agree with the NumPy reference (scripts/transfer_scores_reference.py)', () => {
  for (const c of ref.cases) {
    const f = Float32Array.from(c.features);
    const p = Float32Array.from(c.probs);
    const y = Int32Array.from(c.labels);
    assert.ok(Math.abs(logme(f, y, c.d) - c.logme) < 1e-9, `${c.name} logme ${logme(f, y, c.d)} vs ${c.logme}`);
    assert.ok(Math.abs(leep(p, y, c.zClasses) - c.leep) < 1e-9, `${c.name} leep`);
    assert.ok(Math.abs(nce(p, y, c.zClasses) - c.nce) < 1e-12, `${c.name} nce`);
    assert.ok(Math.abs(hScore(f, y, c.d) - c.hScore) < 1e-9, `${c.name} hScore`);
  }
});

test('hand-computed cases: NCE, LEEP and H-score', () => {
  // source argmax 0,0,1,1 against labels 0,1,1,1: H(Y|Z) = ½·H(½,½) + ½·0 = ½ log 2
  const probs = Float64Array.of(0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.4, 0.6);
  const y = Int32Array.of(0, 1, 1, 1);
  assert.ok(Math.abs(nce(probs, y, 2) + 0.5 * Math.log(2)) < 1e-12);
  assert.equal(nce(probs, Int32Array.of(0, 0, 1, 1), 2), 0);
  // P(y,z): y0 row [0.9, 0.1]/4, y1 row [1.5, 1.5]/4; P(z) = [2.4, 1.6]/4; P(y|z) = [[.375,.0625],[.625,.9375]]
  const cond = [
    [0.9 / 2.4, 0.1 / 1.6],
    [1.5 / 2.4, 1.5 / 1.6],
  ];
  const want =
    [0, 1, 1, 1]
      .map((yi, i) => Math.log(cond[yi]![0]! * probs[2 * i]! + cond[yi]![1]! * probs[2 * i + 1]!))
      .reduce((a, b) => a + b) / 4;
  assert.ok(Math.abs(leep(probs, y, 2) - want) < 1e-12);
  assert.ok(Math.abs(hScore(Float64Array.of(0, 1, 2, 3), Int32Array.of(0, 0, 1, 1), 1) - 0.8) < 1e-12);
  assert.throws(() => leep(Float64Array.of(0.5, 0.6), Int32Array.of(0), 2), /sums to 1.1/);
});

test('the spectrum of FᵀF is the same whichever side is diagonalised', () => {
  const rng = new Rng(3);
  const f = Float64Array.from({ length: 4 * 6 }, () => rng.normal());
  const tall = featureSpectrum(f, 4, 6);
  const t = new Float64Array(24);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 6; j++) t[j * 4 + i] = f[i * 6 + j]!;
  const wide = featureSpectrum(t, 6, 4);
  for (let j = 0; j < 4; j++) assert.ok(Math.abs(tall.values[j]! - wide.values[j]!) < 1e-9);
});

/** n examples of k classes in d dimensions: class means plus noise, or noise alone. */
function synthetic(informative: boolean, seed: number, n = 300, d = 16, k = 5): { f: Float64Array; y: Int32Array } {
  const rng = new Rng(seed);
  const means = Array.from({ length: k }, () => Array.from({ length: d }, () => 2 * rng.normal()));
  const y = Int32Array.from({ length: n }, (_, i) => i % k);
  const f = Float64Array.from(
    { length: n * d },
    (_, idx) => (informative ? means[y[Math.floor(idx / d)]!]![idx % d]! : 0) + rng.normal(),
  );
  return { f, y };
}

test('informative features score above random ones (LogME, H-score)', () => {
  const good = synthetic(true, 1);
  const noise = synthetic(false, 1);
  assert.ok(logme(good.f, good.y, 16) > logme(noise.f, noise.y, 16) + 0.1);
  assert.ok(hScore(good.f, good.y, 16) > 3 && hScore(noise.f, noise.y, 16) < 0.5);
  const partly = synthetic(true, 1);
  for (let i = 0; i < partly.f.length; i++) partly.f[i] = partly.f[i]! + 2 * new Rng(i).normal();
  const mid = logme(partly.f, partly.y, 16);
  assert.ok(
    mid < logme(good.f, good.y, 16) && mid > logme(noise.f, noise.y, 16),
    'ordering follows the signal-to-noise ratio',
  );
});

test('source predictions aligned with the labels score above random ones (LEEP, NCE)', () => {
  const rng = new Rng(5);
  const n = 200;
  const y = Int32Array.from({ length: n }, (_, i) => i % 4);
  const probsFor = (aligned: boolean): Float64Array => {
    const p = new Float64Array(n * 6);
    for (let i = 0; i < n; i++) {
      const logits = Array.from({ length: 6 }, (_, z) => rng.normal() + (aligned && z === (y[i]! + 1) % 6 ? 3 : 0));
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - m));
      const s = e.reduce((a, b) => a + b);
      e.forEach((v, z) => {
        p[i * 6 + z] = v / s;
      });
    }
    return p;
  };
  const good = probsFor(true);
  const bad = probsFor(false);
  assert.ok(leep(good, y, 6) > leep(bad, y, 6) + 0.3);
  assert.ok(nce(good, y, 6) > nce(bad, y, 6) + 0.3);
  assert.ok(leep(good, y, 6) <= 0 && nce(bad, y, 6) >= -Math.log(4) - 1e-9);
});
