/**
 * A user's case as the library checks it: defaults filled in from the output type, every member
 * and every returned value checked (a wrong one named), built-in names still resolving to the
 * built-in cases; and the nested prefixes the learning curves train on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TensorDataset } from '../../src/data/index.js';
import {
  checkCase,
  datasetPrefix,
  digitSumCase,
  EndToEndModel,
  learnedStage,
  loadStudyCase,
  mlp,
  Pipeline,
} from '../../src/endtoend/index.js';
import { tensor } from '../../src/tensor/index.js';

const X = { kind: 'features', shape: [2] } as const;
const Y = { kind: 'classes', n: 2 } as const;
const data = new TensorDataset(Float32Array.of(0, 0, 1, 1, 0, 1, 1, 0), [2], Int32Array.of(0, 1, 0, 1));

/** A small valid case over `data`, with `change` applied. */
const raw = (change: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'xor-ish',
  input: X,
  output: Y,
  pools: () => data,
  examples: (p: TensorDataset) => p,
  pipeline: (hidden: number) =>
    new Pipeline([learnedStage({ name: 'c', input: X, output: Y, create: () => mlp(2, hidden, 2) })]),
  subtaskData: (p: TensorDataset) => ({ c: p }),
  endToEnd: (hidden: number) => new EndToEndModel(mlp(2, hidden, 2), Y),
  ...change,
});

test('built-in names resolve to the built-in cases', async () => {
  assert.equal(await loadStudyCase('digit-sum', 0), digitSumCase);
  await assert.rejects(loadStudyCase('digit-product', 0), /case: 'digit-product' is not a built-in case/);
});

test('a checked case has its defaults and computes with them', async () => {
  const c = checkCase(raw(), 'mine.mjs');
  assert.equal(c.metric, 'error rate');
  assert.equal(c.description, 'xor-ish');
  assert.deepEqual(c.defaultSizes, [100, 200, 400, 800]);
  assert.equal(c.defaultSubtaskExamples, 300);
  const p = tensor([
    [0.9, 0.1],
    [0.2, 0.8],
  ]);
  const y = tensor(Int32Array.of(0, 0));
  assert.equal(c.error(p, y), 0.5);
  assert.ok(Math.abs(c.loss(p, y).item() - -(Math.log(0.9) + Math.log(0.2)) / 2) < 1e-6);
  const pools = await c.pools(0);
  assert.equal(c.examples(pools, 'train', 4, 0).length, 4);
  assert.deepEqual(await c.dataInputs?.(0), { files: [] });
});

test('a wrong member or a wrong returned value is named', async () => {
  assert.throws(() => checkCase(null, 'm.mjs'), /^ValueError: m\.mjs: the case must be an object/);
  assert.throws(
    () => checkCase(raw({ input: { kind: 'image', shape: [28, 28] } }), 'm.mjs'),
    /m\.mjs: case\.input: shape: expected 3 positive integers, found/,
  );
  assert.throws(
    () => checkCase(raw({ defaultSizes: [100, 50] }), 'm.mjs'),
    /case\.defaultSizes: expected strictly increasing positive integers/,
  );
  assert.throws(
    () => checkCase(raw({ output: { kind: 'features', shape: [3] } }), 'm.mjs'),
    /case\.loss: needed for an output of features \[3\]/,
  );
  assert.throws(
    () => checkCase(raw({ endToEnd: () => 'a model' }), 'm.mjs'),
    /case\.endToEnd\(hidden\) returned .*expected a Module/,
  );
  const c = checkCase(raw({ examples: () => data, error: () => 'low' }), 'm.mjs');
  const pools = await c.pools(0);
  assert.throws(() => c.examples(pools, 'train', 10, 0), /returned 4 examples; the study needs 10/);
  assert.equal(c.examples(pools, 'test', 10, 0).length, 4); // a test draw may be smaller
  assert.throws(() => c.error(tensor([[1, 0]]), tensor(Int32Array.of(0))), /case\.error returned .*expected a number/);
  const noSub = checkCase(raw({ subtaskData: () => ({ other: data }) }), 'm.mjs');
  assert.throws(() => noSub.subtaskData(pools, 4, 0), /no TensorDataset for the learned stage 'c'/);
});

test('a prefix of a draw shares its arrays and keeps its first examples', () => {
  const first = datasetPrefix(data, 3);
  assert.equal(first.length, 3);
  assert.equal(first.features.buffer, data.features.buffer);
  assert.deepEqual([...first.labels], [0, 1, 0]);
  assert.throws(() => datasetPrefix(data, 5), /n must be an integer in \[0, 4\], got 5/);
});
