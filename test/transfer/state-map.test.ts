import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ones, zeros } from '../../src/index.js';
import { StateDictError } from '../../src/nn/index.js';
import {
  buildModel,
  loadWeights,
  mapStateDict,
  replaceHeads,
  resetHead,
  resetParameters,
} from '../../src/transfer/index.js';
import { tinyModel } from './helpers.js';

test('prefix mapping renames by the longest matching prefix, strips and adds', () => {
  const w = ones([2]);
  const sd = { 'features.0.weight': w, 'features.0.bias': w, 'module.fc.weight': w, 'head.weight': w };
  const mapped = mapStateDict(sd, {
    prefixes: { 'features.': 'trunk.', 'features.0.bias': 'trunk.0.b', 'module.': '', '': 'x.' },
  });
  assert.deepEqual(Object.keys(mapped.state).sort(), ['fc.weight', 'trunk.0.b', 'trunk.0.weight', 'x.head.weight']);
  assert.deepEqual(
    mapped.renamed.find(([from]) => from === 'module.fc.weight'),
    ['module.fc.weight', 'fc.weight'],
  );
  assert.equal(mapped.state['fc.weight'], w, 'tensors are shared, not copied');
});

test('exclude drops mapped keys by glob, and two keys landing on one name is an error', () => {
  const w = ones([1]);
  const mapped = mapStateDict({ 'a.w': w, 'heads.src.weight': w }, { exclude: 'heads.*' });
  assert.deepEqual(Object.keys(mapped.state), ['a.w']);
  assert.deepEqual(mapped.excluded, ['heads.src.weight']);
  assert.throws(
    () => mapStateDict({ 'a.w': w, 'b.w': w }, { prefixes: { 'a.': 'c.', 'b.': 'c.' } }),
    /both map to 'c\.w'/,
  );
});

test('loadWeights reports loaded, missing, unexpected and shape-mismatched keys and copies only matches', () => {
  const source = tinyModel(0);
  const target = replaceHeads(tinyModel(1), [{ name: 'digit', classes: 5 }]);
  const sd = { ...source.stateDict(), 'heads.digit.weight': zeros([7, 6]), 'extra.weight': zeros([1]) };
  const trunkBefore = Float32Array.from(target.trunk.parameters()[0]!.data as Float32Array);
  const report = loadWeights(target, sd);
  assert.deepEqual(report.loaded, ['trunk.1.weight', 'trunk.1.bias', 'trunk.3.weight', 'trunk.3.bias']);
  assert.deepEqual(report.missing, ['heads.digit.bias']);
  assert.deepEqual(report.unexpected.sort(), ['extra.weight', 'heads.target.bias', 'heads.target.weight']);
  assert.deepEqual(report.mismatched, [{ key: 'heads.digit.weight', expected: [5, 6], got: [7, 6] }]);
  assert.deepEqual(target.trunk.parameters()[0]!.data, source.trunk.parameters()[0]!.data);
  assert.notDeepEqual(target.trunk.parameters()[0]!.data, trunkBefore);
});

test('strict loading throws the report and copies nothing; a clean mapping loads strictly', () => {
  const source = tinyModel(0);
  const target = tinyModel(1);
  const before = Float32Array.from(target.trunk.parameters()[0]!.data as Float32Array);
  const renamed = mapStateDict(source.stateDict(), { prefixes: { 'trunk.': 'features.' } }).state;
  assert.throws(
    () => loadWeights(target, renamed, { strict: true }),
    (e: unknown) => e instanceof StateDictError && e.report.missing.includes('trunk.1.weight'),
  );
  assert.deepEqual(target.trunk.parameters()[0]!.data, before);
  const report = loadWeights(target, renamed, { strict: true, prefixes: { 'features.': 'trunk.' } });
  assert.equal(report.missing.length + report.unexpected.length + report.mismatched.length, 0);
});

test('replaceHeads keeps the trunk module and gives fresh heads of the asked sizes', () => {
  const model = buildModel({
    arch: 'mlp',
    config: { inputs: 4, hidden: [3] },
    tasks: [
      { name: 'a', classes: 2 },
      { name: 'b', classes: 4 },
    ],
  });
  const target = replaceHeads(model, [{ name: 'c', classes: 6 }]);
  assert.equal(target.trunk, model.trunk);
  assert.deepEqual(target.taskNames, ['c']);
  assert.deepEqual(target.heads.get('c').parameters()[0]!.shape, [6, 3]);
});

test('resetHead re-initialises one head in place; resetParameters every layer, batch norm included', () => {
  const model = tinyModel(0, true);
  const head = model.heads.get('target').parameters()[0]!;
  const trunk = Float32Array.from(model.trunk.parameters()[0]!.data as Float32Array);
  const before = Float32Array.from(head.data as Float32Array);
  resetHead(model, 'target');
  assert.notDeepEqual(head.data, before);
  assert.deepEqual(model.trunk.parameters()[0]!.data, trunk);
  const bnMean = model.stateDict()['trunk.1.running_mean']!;
  bnMean.data.fill(3);
  resetParameters(model);
  assert.notDeepEqual(model.trunk.parameters()[0]!.data, trunk);
  assert.deepEqual(Array.from(bnMean.data), [0, 0, 0]);
});
