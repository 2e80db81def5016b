/**
 * What every method promises, checked for all fourteen on one toy trunk with three heads: the shared
 * parameters receive Σ weights[t]·∇L_t, each head its own task's gradient (scaled by the task's
 * weight for loss-weighting methods), and the cost has the right shape, counted in backward passes
 * through the trunk and each head. Also: the registry, and state dicts that resume a method exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createWeighting,
  weightingKeys,
  isWeightingKey,
  GradientWeighting,
  type WeightingKey,
  type WeightingMethod,
} from '../../../src/multitask/weighting/index.js';
import { SGD } from '../../../src/optim/index.js';
import { assertAllClose, linearTasks, makeToy, referenceGrads, sharedGrad } from './helpers.js';

const tasks = ['a', 'b', 'c'];
const staticWeights = { weights: { a: 1, b: 0.5, c: 2 } };

function make(key: WeightingKey, options: Record<string, unknown> = {}): WeightingMethod {
  return createWeighting(key, tasks, key === 'sw' ? { ...staticWeights, ...options } : options);
}

/** Trunk passes a method may take: one for loss weighting and for work on the representation, one per task otherwise. */
function expectedTrunkPasses(m: WeightingMethod): number {
  return m.needs === 'sharedGrads' ? tasks.length : 1;
}

function checkStep(key: WeightingKey, options: Record<string, unknown> = {}): void {
  const toy = makeToy(tasks, 1);
  const ref = referenceGrads(toy);
  const method = make(key, options);
  toy.zeroGrad();
  const ctx = toy.ctx();
  const { weights } = method.backward(ctx);
  assert.deepEqual(Object.keys(weights), tasks, `${key}: a weight per task`);
  const w = tasks.map((t) => weights[t]!);
  assert.ok(w.every(Number.isFinite), `${key}: finite weights ${w}`);
  const expectedShared = ref.shared[0]!.map((_, k) => ref.shared.reduce((s, g, i) => s + w[i]! * g[k]!, 0));
  assertAllClose(sharedGrad(toy), expectedShared, `${key}: shared .grad = Σ w·g`, 1e-4, 1e-6);
  tasks.forEach((t, i) => {
    const scale = method.needs === 'losses' ? w[i]! : 1;
    toy.taskParams[t]!.forEach((p, k) => {
      assertAllClose(
        p.grad!.data,
        Array.from(ref.heads[t]![k]!.data, (v) => v * scale),
        `${key}: head ${t} param ${k}`,
        1e-4,
        1e-7,
      );
    });
  });
  assert.equal(toy.trunkCounter.count, expectedTrunkPasses(method), `${key}: backward passes through the trunk`);
  const headPasses = key === 'gradnorm' ? 2 : 1;
  for (const t of tasks)
    assert.equal(toy.headCounters[t]!.count, headPasses, `${key}: backward passes through head ${t}`);
}

for (const key of weightingKeys) {
  test(`${key}: shared .grad is the weighted combination, heads get their own task's gradient, cost as stated`, () => {
    checkStep(key);
  });
}

test('gradient methods on the representation: one trunk pass, the same contract', () => {
  for (const key of weightingKeys) {
    const method = make(key);
    if (!(method instanceof GradientWeighting)) continue;
    checkStep(key, { space: 'representation' });
  }
});

test('mgda defaults to the upper bound (representation) and says what it needs without one', () => {
  const toy = makeToy(tasks, 2);
  const mgda = make('mgda');
  assert.equal(mgda.needs, 'representationGrads');
  const { taskLosses, sharedParams, taskParams } = toy.ctx();
  assert.throws(() => mgda.backward({ taskLosses, sharedParams, taskParams }), /ctx\.representation/);
  assert.equal(make('mgda', { space: 'parameters' }).needs, 'sharedGrads');
});

test('a task whose gradient is zero (no labels in the batch) gets weight 0 from every gradient method', () => {
  for (const key of weightingKeys) {
    const probe = make(key);
    if (!(probe instanceof GradientWeighting)) continue;
    const lt = linearTasks(
      [
        [1, 0.2, 0],
        [0, 0, 0],
        [-0.3, 1, 0.5],
      ],
      [1, 0, 2],
    );
    const m = createWeighting(key, lt.tasks, { space: 'parameters' });
    const { weights } = m.backward(lt.ctx());
    assert.equal(weights['t1'], 0, `${key}: ${JSON.stringify(weights)}`);
    assert.ok(Number.isFinite(weights['t0']!) && Number.isFinite(weights['t2']!), `${key}: ${JSON.stringify(weights)}`);
  }
});

test('context checks name the missing or unknown task', () => {
  const toy = makeToy(tasks, 3);
  const m = make('ew');
  const ctx = toy.ctx();
  const { c: _c, ...partial } = ctx.taskLosses;
  assert.throws(() => m.backward({ ...ctx, taskLosses: partial }), /missing 'c'/);
  assert.throws(
    () => m.backward({ ...ctx, taskLosses: { ...ctx.taskLosses, d: ctx.taskLosses['a']! } }),
    /unknown 'd'/,
  );
  assert.throws(() => m.backward({ ...ctx, taskParams: { ...ctx.taskParams, e: [] } }), /unknown task\(s\) 'e'/);
});

test('createWeighting: every key, unknown keys and options, bad values', () => {
  for (const key of weightingKeys) {
    assert.ok(isWeightingKey(key));
    assert.equal(make(key).key, key);
  }
  assert.throws(() => createWeighting('pcgard', tasks), /unknown method 'pcgard', expected one of ew, sw/);
  assert.throws(
    () => createWeighting('dwa', tasks, { temprature: 2 }),
    /unknown option\(s\) 'temprature' for 'dwa'; accepted: temperature/,
  );
  assert.throws(() => createWeighting('ew', tasks, { c: 1 }), /it takes none/);
  assert.throws(() => createWeighting('sw', tasks, {}), /needs \{ weights/);
  assert.throws(() => createWeighting('sw', tasks, { weights: { a: 1, b: 1 } }), /missing 'c'/);
  assert.throws(() => createWeighting('cagrad', tasks, { c: -1 }), /c must be/);
  assert.throws(
    () => createWeighting('pcgrad', tasks, { space: 'trunk' }),
    /space must be 'parameters' or 'representation'/,
  );
  assert.throws(() => createWeighting('ew', ['a', 'a']), /listed twice/);
  assert.throws(() => createWeighting('ew', []), /at least one task/);
});

/** Runs a few steps that change every stateful part of a method. */
function advance(m: WeightingMethod, seed: number): void {
  const toy = makeToy(tasks, seed);
  const params = m.parameters();
  const opt = params.length > 0 ? new SGD(params, { lr: 0.1 }) : null;
  for (let step = 0; step < 3; step++) {
    opt?.zeroGrad();
    m.backward(toy.ctx());
    opt?.step();
    m.afterStep?.({ a: 0.5 + step, b: 1, c: 2 - 0.1 * step });
    m.epochEnd?.({ a: 1 + step, b: 2, c: 0.5 * (step + 1) });
  }
  m.backward(toy.ctx());
}

test('stateDict/loadStateDict resume a method exactly', () => {
  for (const key of weightingKeys) {
    if (key === 'rlw' || key === 'pcgrad') continue; // their randomness is the global rng's state, saved with it
    const a = make(key);
    advance(a, 5);
    const b = make(key);
    b.loadStateDict(a.stateDict());
    const toyA = makeToy(tasks, 6);
    const toyB = makeToy(tasks, 6);
    assert.deepEqual(b.backward(toyB.ctx()).weights, a.backward(toyA.ctx()).weights, key);
    assert.deepEqual(Object.keys(b.stateDict()), Object.keys(a.stateDict()), key);
  }
  assert.throws(() => make('uw').loadStateDict({}), /expected keys \[log_var\], missing \[log_var\]/);
  assert.throws(() => make('ew').loadStateDict(make('uw').stateDict()), /unexpected \[log_var\]/);
});
