/**
 * Task mixing (Raffel et al. 2020): the rates of examples-proportional mixing with a cap,
 * temperature scaling and equal mixing, exactly; the sampler's and the mixed loader's draws,
 * statistically; seeding from the global stream; resuming a mixed loader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/core/rng.js';
import {
  MixedTaskLoader,
  MultiTaskDataset,
  TaskSampler,
  mixingRates,
  type MixedBatch,
} from '../../src/multitask/index.js';
import { plain } from '../helpers/plain.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('examples-proportional rates, with and without a cap', () => {
  const r = mixingRates({ a: 1000, b: 300, c: 100 }, { strategy: 'proportional' });
  close(r['a']!, 1000 / 1400);
  close(r['c']!, 100 / 1400);
  const capped = mixingRates({ a: 1000, b: 300, c: 100 }, { strategy: 'proportional', cap: 200 });
  close(capped['a']!, 200 / 500);
  close(capped['b']!, 200 / 500);
  close(capped['c']!, 100 / 500);
});

test('temperature scaling raises the proportional rates to 1/T; T = 1 is proportional, large T nears equal', () => {
  const sizes = { a: 900, b: 100 };
  const t2 = mixingRates(sizes, { strategy: 'temperature', temperature: 2 });
  close(t2['a']!, Math.sqrt(0.9) / (Math.sqrt(0.9) + Math.sqrt(0.1)));
  const t1 = mixingRates(sizes, { strategy: 'temperature', temperature: 1 });
  close(t1['a']!, 0.9);
  const hot = mixingRates(sizes, { strategy: 'temperature', temperature: 1000 });
  assert.ok(Math.abs(hot['a']! - 0.5) < 0.001);
  const capped = mixingRates({ a: 900, b: 100 }, { strategy: 'temperature', temperature: 2, cap: 400 });
  close(capped['a']!, Math.sqrt(0.8) / (Math.sqrt(0.8) + Math.sqrt(0.2)));
});

test('equal mixing ignores sizes; bad arguments are named', () => {
  assert.deepEqual(plain(mixingRates({ a: 5, b: 50, c: 500 }, { strategy: 'equal' })), {
    a: 1 / 3,
    b: 1 / 3,
    c: 1 / 3,
  });
  assert.throws(() => mixingRates({ a: -1 }, { strategy: 'equal' }), /task 'a' has -1 examples/);
  assert.throws(
    () => mixingRates({ a: 1 }, { strategy: 'temperature', temperature: 0 }),
    /temperature must be a positive number/,
  );
  assert.throws(() => mixingRates({ a: 1 }, { strategy: 'proportional', cap: 0 }), /cap must be a positive number/);
});

/** Draws n names and returns their frequencies. */
function frequencies(next: () => string, n: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const k = next();
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([k, c]) => [k, c / n]));
}

/** Within 4.5 standard errors of a binomial proportion: fails by chance about once in 150,000 runs. */
function assertRate(observed: number, p: number, n: number, what: string): void {
  const se = Math.sqrt((p * (1 - p)) / n);
  assert.ok(Math.abs(observed - p) <= 4.5 * se, `${what}: observed ${observed}, expected ${p} ± ${4.5 * se}`);
}

test('the sampler draws each task at its rate', () => {
  const cases = [
    mixingRates({ a: 1000, b: 300, c: 100 }, { strategy: 'proportional', cap: 500 }),
    mixingRates({ a: 1000, b: 300, c: 100 }, { strategy: 'temperature', temperature: 3 }),
    mixingRates({ a: 1000, b: 300, c: 100 }, { strategy: 'equal' }),
  ];
  const n = 20000;
  cases.forEach((rates, k) => {
    const sampler = new TaskSampler(rates, 100 + k);
    const f = frequencies(() => sampler.next(), n);
    for (const [task, p] of Object.entries(rates)) assertRate(f[task] ?? 0, p, n, `case ${k}, task ${task}`);
  });
});

test('the sampler is seeded from the global stream by default, and its state resumes it', () => {
  const rates = { a: 0.3, b: 0.7 };
  manualSeed(5);
  const s1 = new TaskSampler(rates);
  manualSeed(5);
  const s2 = new TaskSampler(rates);
  const a = Array.from({ length: 20 }, () => s1.next());
  assert.deepEqual(
    Array.from({ length: 20 }, () => s2.next()),
    a,
  );
  const saved = s1.state();
  const rest = Array.from({ length: 10 }, () => s1.next());
  const s3 = new TaskSampler(rates, 1);
  s3.loadState(saved);
  assert.deepEqual(
    Array.from({ length: 10 }, () => s3.next()),
    rest,
  );
});

/** n samples whose input is `value` + index/1000, so every batch can be told apart. */
function source(n: number, task: string, value: number): MultiTaskDataset {
  const x = Float32Array.from({ length: n }, (_, i) => value + i / 1000);
  return new MultiTaskDataset(x, [1], { [task]: { data: x.slice() } });
}

test("the mixed loader draws sources by the mixing rates and gives each batch one source's tasks", () => {
  const sources = { big: source(900, 'x', 1), small: source(100, 'y', 2) };
  const loader = new MixedTaskLoader(sources, {
    batchSize: 10,
    mixing: { strategy: 'temperature', temperature: 2 },
    stepsPerEpoch: 4000,
    seed: 3,
  });
  const expected = Math.sqrt(0.9) / (Math.sqrt(0.9) + Math.sqrt(0.1));
  close(loader.rates['big']!, expected);
  let big = 0;
  let steps = 0;
  for (const b of loader) {
    steps++;
    if (b.source === 'big') {
      big++;
      assert.deepEqual(Object.keys(b.y), ['x']);
      assert.equal(Math.floor(b.x.data[0]!), 1);
    } else {
      assert.deepEqual(Object.keys(b.y), ['y']);
      assert.equal(Math.floor(b.x.data[0]!), 2);
    }
    assert.equal(b.x.shape[0], 10);
  }
  assert.equal(steps, 4000);
  assert.equal(loader.epoch, 1);
  assertRate(big / steps, expected, steps, 'big source');
});

test('the mixed loader resumes exactly from its state, mid-epoch, across passes of a source', () => {
  const make = (): MixedTaskLoader =>
    new MixedTaskLoader(
      { a: source(25, 'ta', 1), b: source(7, 'tb', 2) },
      { batchSize: 4, mixing: { strategy: 'equal' }, seed: 11 },
    );
  const trace = (it: Iterator<MixedBatch>, n: number): string[] =>
    Array.from({ length: n }, () => {
      const r = it.next();
      return r.done === true ? 'end' : `${r.value.source}:${[...r.value.x.data].join(',')}`;
    });
  const l1 = make();
  assert.equal(l1.stepsPerEpoch, 7 + 2);
  const it1 = l1[Symbol.iterator]();
  trace(it1, 5);
  const saved = JSON.parse(JSON.stringify(l1.state()));
  const rest = trace(it1, 4);
  const l2 = make();
  l2.loadState(saved);
  assert.deepEqual(trace(l2[Symbol.iterator](), 4), rest);
  assert.throws(
    () =>
      new MixedTaskLoader(
        { a: source(5, 't', 1), b: source(5, 't', 2) },
        { batchSize: 2, mixing: { strategy: 'equal' } },
      ),
    /task 't' has labels in sources 'a' and 'b'/,
  );
});
