/**
 * clipGradNorm: the total norm returned, scaling only above maxNorm, gradients replaced rather than
 * scaled in place, the infinity norm, and skipped parameters without gradients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/tensor/index.js';
import * as nn from '../../src/nn/index.js';
import { clipGradNorm } from '../../src/optim/index.js';

test('clipGradNorm scales all gradients by maxNorm/total when the global norm is larger', () => {
  const a = new nn.Parameter(tensor([0, 0]));
  const b = new nn.Parameter(tensor([0]));
  const c = new nn.Parameter(tensor([0]));
  const ga = tensor([3, 0]);
  a.grad = ga;
  b.grad = tensor([4]);
  const total = clipGradNorm([a, b, c], 1);
  assert.ok(Math.abs(total - 5) < 1e-6);
  assert.ok(Math.abs(a.grad!.data[0]! - 3 / (5 + 1e-6)) < 1e-6);
  assert.ok(Math.abs(b.grad!.data[0]! - 4 / (5 + 1e-6)) < 1e-6);
  assert.deepEqual([...ga.data], [3, 0], 'the original gradient tensor is not mutated');
  assert.notEqual(a.grad, ga);
  assert.equal(c.grad, null);
});

test('clipGradNorm leaves small gradients as they are and supports the infinity norm', () => {
  const a = new nn.Parameter(tensor([0, 0]));
  const g = tensor([0.3, -0.4]);
  a.grad = g;
  assert.ok(Math.abs(clipGradNorm([a], 1) - 0.5) < 1e-6);
  assert.equal(a.grad, g);
  assert.ok(Math.abs(clipGradNorm([a], 0.2, { normType: Infinity }) - 0.4) < 1e-6);
  assert.ok(Math.abs(a.grad!.data[1]! + 0.2) < 1e-5);
  assert.throws(() => clipGradNorm([a], -1), /maxNorm must be >= 0/);
});
