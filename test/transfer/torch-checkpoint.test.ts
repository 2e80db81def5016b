import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSafetensors, noGrad, tensor } from '../../src/index.js';
import { buildModel, loadWeights, type ArchConfig } from '../../src/transfer/index.js';
import { maxAbsDiff } from './helpers.js';

const dir = new URL('../../../test/fixtures/transfer/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('torch_cnn_expected.json', dir), 'utf8')) as {
  arch: string;
  config: ArchConfig;
  prefixes: Record<string, string>;
  task: string;
  classes: number;
  inputShape: number[];
  input: number[];
  logits: number[];
};

test('a PyTorch checkpoint of the same architecture loads by name and gives the same outputs within 1e-4', () => {
  const model = buildModel({
    arch: expected.arch,
    config: expected.config,
    tasks: [{ name: expected.task, classes: expected.classes }],
  });
  const weights = loadSafetensors(fileURLToPath(new URL('torch_cnn.safetensors', dir)));
  const report = loadWeights(model, weights, { prefixes: expected.prefixes, strict: true });
  assert.equal(report.loaded.length, Object.keys(weights).length);
  assert.ok(report.renamed.some(([from, to]) => from === 'features.1.running_mean' && to === 'trunk.1.running_mean'));
  model.eval();
  const x = tensor(Float32Array.from(expected.input), expected.inputShape);
  const logits = noGrad(() => model.run(x).outputs[expected.task]!);
  assert.deepEqual(logits.shape, [expected.inputShape[0], expected.classes]);
  assert.ok(
    maxAbsDiff(logits.data, expected.logits) < 1e-4,
    `max difference ${maxAbsDiff(logits.data, expected.logits)}`,
  );
});
