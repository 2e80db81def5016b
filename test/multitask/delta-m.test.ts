/**
 * Δm against single-task baselines on hand-computed numbers, per-task deltas, metrics without a
 * usable baseline, and negative-transfer flagging.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deltaM, negativeTransfer, taskDeltas } from '../../src/multitask/index.js';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);

const directions = {
  seg: { miou: true, pixAcc: true },
  depth: { absErr: false, relErr: false },
  normal: { meanAngle: false },
};
const single = { seg: { miou: 0.5, pixAcc: 0.8 }, depth: { absErr: 0.6, relErr: 0.25 }, normal: { meanAngle: 20 } };
const multi = { seg: { miou: 0.55, pixAcc: 0.76 }, depth: { absErr: 0.54, relErr: 0.3 }, normal: { meanAngle: 22 } };

test("per-task deltas average each metric's signed relative change", () => {
  const d = taskDeltas(multi, single, directions);
  // seg: (+0.05/0.5 − 0.04/0.8) / 2 = (0.1 − 0.05) / 2 = 0.025
  close(d['seg']!, 2.5);
  // depth: lower is better: (+0.06/0.6 − 0.05/0.25) / 2 = (0.1 − 0.2) / 2 = −0.05
  close(d['depth']!, -5);
  // normal: −2/20 = −0.1
  close(d['normal']!, -10);
});

test('Δm is the mean over tasks, in percent', () => {
  close(deltaM(multi, single, directions), (2.5 - 5 - 10) / 3);
  close(deltaM(single, single, directions), 0);
  close(
    deltaM(
      { a: { acc: 0.9 }, b: { mae: 1.1 } },
      { a: { acc: 0.8 }, b: { mae: 1.0 } },
      { a: { acc: true }, b: { mae: false } },
    ),
    1.25,
  );
});

test('a metric whose baseline is 0 or missing is left out; a task with none is NaN', () => {
  const d = taskDeltas(
    { a: { x: 1, y: 2 }, b: { z: 3 } },
    { a: { x: 0, y: 1 }, b: {} },
    { a: { x: true, y: true }, b: { z: true } },
  );
  close(d['a']!, 100);
  assert.ok(Number.isNaN(d['b']!));
  close(
    deltaM(
      { a: { x: 1, y: 2 }, b: { z: 3 } },
      { a: { x: 0, y: 1 }, b: {} },
      { a: { x: true, y: true }, b: { z: true } },
    ),
    100,
  );
});

test('tasks below their single-task baseline are flagged, with an optional tolerance', () => {
  assert.deepEqual(negativeTransfer(multi, single, directions), ['depth', 'normal']);
  assert.deepEqual(negativeTransfer(multi, single, directions, { tolerance: 7 }), ['normal']);
  assert.deepEqual(negativeTransfer(single, single, directions), []);
  assert.throws(
    () => negativeTransfer(multi, single, directions, { tolerance: -1 }),
    /tolerance must be a finite number >= 0/,
  );
});
