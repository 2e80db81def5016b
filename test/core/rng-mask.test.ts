/**
 * Rng.fillMask: the dropout mask drawn with the generator's state in locals must be the mask the
 * per-element loop draws (same draws, same threshold, same state afterwards), so a seeded run's
 * dropout is unchanged by the fast path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';

test('fillMask draws the same mask as uniform() >= p, and leaves the same state', () => {
  for (const seed of [0, 1, 12345, 0xffffffff]) {
    for (const p of [0, 1e-9, 0.1, 0.5, 0.9, 1 - 1e-9]) {
      for (const n of [0, 1, 7, 1000]) {
        const a = new Rng(seed);
        const b = new Rng(seed);
        a.normal(); // a spare normal pending must not matter
        b.normal();
        const scale = p < 1 ? 1 / (1 - p) : 0;
        const fast = new Float32Array(n);
        a.fillMask(fast, p, scale);
        const loop = Float32Array.from({ length: n }, () => (b.uniform() >= p ? scale : 0));
        assert.deepEqual(fast, loop, `seed ${seed}, p ${p}, n ${n}`);
        assert.equal(a.nextU32(), b.nextU32(), 'the state advanced alike');
        assert.equal(a.normal(), b.normal());
      }
    }
  }
});

test('fillMask keeps about 1 − p of the elements', () => {
  const out = new Float32Array(100_000);
  new Rng(7).fillMask(out, 0.3, 2);
  const kept = out.filter((v) => v === 2).length;
  assert.ok(Math.abs(kept / out.length - 0.7) < 0.01, `kept ${kept}`);
  assert.equal(out.filter((v) => v !== 0 && v !== 2).length, 0);
});
