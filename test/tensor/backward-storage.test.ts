/**
 * Autograd hands the storage only its backward used back to the pool at once
 * (src/tensor/backward-storage.ts, `record`'s saved arrays), and never storage someone can still
 * see. These tests try to break that: a gradient passed in, leaves sharing one gradient buffer,
 * `.grad` kept (and a subarray of it) across later steps, activations kept across steps,
 * `grad()` with respect to a non-leaf, retainGraph and a second backward, an error in the middle
 * of a backward. Each compares the values with a run where nothing is released
 * (setStorageRelease(null)), and checks through a recording allocator that the intermediate
 * gradients were in fact released (a released buffer is detached: byteLength 0). Attention hands
 * back its own intermediates (scaled q, kᵀ, scores, weights) after the last backward that reads
 * them: its values and gradients must match too, whichever inputs need a gradient.
 *
 * @example
 * // $ node --import ./dist/test/helpers/setup.js --test dist/test/tensor/backward-storage.test.js
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadNativeAddon } from '../../src/backends/native/index.js';
import { setBackend } from '../../src/backend/registry.js';
import {
  releaseStorage,
  setStorageAllocator,
  setStorageRelease,
  storageAllocator,
  watchStorage,
} from '../../src/core/dtype.js';
import { PolytaskError } from '../../src/core/errors.js';
import { manualSeed } from '../../src/core/rng.js';
import {
  grad,
  maxPool2d,
  noGrad,
  randn,
  rand,
  scaledDotProductAttention,
  softmaxCrossEntropy,
  tensor,
  type AttentionOptions,
  type Tensor,
} from '../../src/tensor/index.js';

const addon = loadNativeAddon();
const skip = addon === null ? 'native addon not built' : false;

/** The pool's buffers handed out while `fn` ran, and what it returned. */
function recording<T>(fn: () => T): { value: T; buffers: ArrayBuffer[] } {
  const inner = storageAllocator();
  assert.ok(inner !== null, 'the native backend installs the storage pool');
  const buffers: ArrayBuffer[] = [];
  setStorageAllocator((bytes, zero) => {
    const b = inner(bytes, zero);
    buffers.push(b);
    return b;
  });
  try {
    return { value: fn(), buffers };
  } finally {
    setStorageAllocator(inner);
  }
}

/** Runs `fn` with releases off: what every value must equal. */
function unreleased<T>(fn: () => T): T {
  setStorageRelease(null);
  try {
    return fn();
  } finally {
    setStorageRelease(addon!.releaseStorage);
  }
}

const released = (buffers: readonly ArrayBuffer[]): number => buffers.filter((b) => b.byteLength === 0).length;
const values = (t: Tensor): number[] => Array.from(t.data);

/** A 3-layer MLP (weights w1..w3, 64 wide, batch 32: every array is pooled) and its loss. */
function mlp(seed: number): { ws: Tensor[]; x: Tensor; loss: () => { loss: Tensor; h: Tensor } } {
  manualSeed(seed);
  const ws = [randn([48, 64]), randn([64, 64]), randn([64, 10])].map((w) => w.mul(0.2).detach());
  for (const w of ws) w.requiresGrad = true;
  const x = randn([32, 48]);
  const y = tensor(Int32Array.from({ length: 32 }, (_, i) => i % 10));
  return {
    ws,
    x,
    loss: () => {
      const h = x.matmul(ws[0]!).relu();
      const out = h.matmul(ws[1]!).relu().matmul(ws[2]!);
      return { loss: softmaxCrossEntropy(out, y).mean(), h };
    },
  };
}

describe('backward hands back the storage only it used', { skip }, () => {
  setBackend('native');

  test('intermediate gradients are released; .grad and kept activations keep their values', () => {
    const ref = unreleased(() => {
      const m = mlp(1);
      const { loss, h } = m.loss();
      loss.backward();
      return { grads: m.ws.map((w) => values(w.grad!)), h: values(h) };
    });
    const m = mlp(1);
    const { value, buffers } = recording(() => {
      const r = m.loss();
      r.loss.backward();
      return r;
    });
    assert.ok(released(buffers) >= 4, `released ${released(buffers)} of ${buffers.length}`);
    m.ws.forEach((w, i) => assert.deepEqual(values(w.grad!), ref.grads[i], `grad of w${i + 1}`));
    assert.deepEqual(values(value.h), ref.h, 'an activation the caller holds is untouched');
  });

  test('a .grad (and a subarray of it) kept across later steps is never recycled', () => {
    const m = mlp(2);
    m.loss().loss.backward();
    const kept = m.ws.map((w) => w.grad!);
    const view = kept[1]!.data.subarray(7, 300);
    const copies = kept.map(values);
    const viewCopy = Array.from(view);
    for (let step = 0; step < 5; step++) {
      for (const w of m.ws) w.grad = null;
      m.loss().loss.backward();
    }
    kept.forEach((g, i) => assert.deepEqual(values(g), copies[i], `kept grad ${i}`));
    assert.deepEqual(Array.from(view), viewCopy, 'kept subarray');
    // and accumulation (no zeroGrad) replaces .grad with a fresh sum, leaving the kept one alone
    m.loss().loss.backward();
    m.loss().loss.backward();
    kept.forEach((g, i) => assert.deepEqual(values(g), copies[i], `kept grad ${i} after accumulation`));
  });

  test('a gradient passed to backward, and leaves sharing one gradient, are kept', () => {
    manualSeed(3);
    const a = randn([40, 40], { requiresGrad: true });
    const b = randn([40, 40], { requiresGrad: true });
    const seed = randn([40, 40]);
    const copy = values(seed);
    // add's backward hands the gradient it was given to both inputs: both .grad are the seed itself
    const { buffers } = recording(() => a.add(b).clone().backward(seed));
    assert.deepEqual(values(seed), copy);
    assert.deepEqual(values(a.grad!), copy);
    assert.deepEqual(values(b.grad!), copy);
    assert.equal(released(buffers), 0);
    // the same through an intermediate that backward allocates: the shared buffer survives both leaves
    a.grad = null;
    b.grad = null;
    a.add(b).mul(2).sum().backward();
    assert.deepEqual(values(a.grad!), new Array(1600).fill(2));
    assert.deepEqual(values(b.grad!), new Array(1600).fill(2));
  });

  test('grad() with respect to a non-leaf returns intact gradients; allowUnused zeros too', () => {
    const ref = unreleased(() => {
      const m = mlp(4);
      const { loss, h } = m.loss();
      const [gh, gw] = grad([loss], [h, m.ws[0]!]);
      return [values(gh!), values(gw!)];
    });
    const m = mlp(4);
    const { loss, h } = m.loss();
    const unused = randn([64, 64], { requiresGrad: true });
    const [gh, gw, gu] = grad([loss], [h, m.ws[0]!, unused], { allowUnused: true });
    assert.deepEqual(values(gh!), ref[0]);
    assert.deepEqual(values(gw!), ref[1]);
    assert.ok(gu!.data.length === 4096 && gu!.data.every((v) => v === 0));
  });

  test('retainGraph keeps what a second backward needs, and both give the same gradients', () => {
    const m = mlp(5);
    const { loss } = m.loss();
    const [g1] = grad([loss], [m.ws[0]!], { retainGraph: true });
    const first = values(g1!);
    const [g2] = grad([loss], [m.ws[0]!]);
    assert.deepEqual(values(g2!), first);
    assert.deepEqual(values(g1!), first, 'the first result is not recycled by the second pass');
    assert.throws(() => loss.backward(), PolytaskError, 'a freed graph still says so');
  });

  test('saved arrays (pooling indices, the loss gradient) are released with the graph, or at once under noGrad', () => {
    manualSeed(6);
    const x = randn([4, 8, 24, 24], { requiresGrad: true });
    const evaluated = recording(() => noGrad(() => maxPool2d(x, 2)));
    // output [4,8,12,12] floats and its int32 indices: the indices go back as soon as no graph needs them
    assert.equal(evaluated.buffers.length, 2);
    assert.equal(released(evaluated.buffers), 1);
    assert.equal(evaluated.value.data.length, 4608);
    const trained = recording(() => maxPool2d(x, 2).sum().backward());
    assert.ok(released(trained.buffers) >= 1, 'the indices go with the graph');
    const ref = unreleased(() => {
      const g = randn([4, 8, 24, 24], { requiresGrad: true });
      g.data.set(x.data);
      maxPool2d(g, 2).sum().backward();
      return values(g.grad!);
    });
    assert.deepEqual(values(x.grad!), ref);
  });

  test('an error in the middle of a backward releases nothing the caller holds', () => {
    manualSeed(7);
    const w = randn([64, 64], { requiresGrad: true });
    const out = w.matmul(w).relu();
    const bad = randn([3, 3]);
    assert.throws(() => out.backward(bad), /gradient shape/);
    const good = randn([64, 64]);
    const copy = values(good);
    out.backward(good);
    assert.deepEqual(values(good), copy);
    assert.equal(w.grad!.data.length, 4096);
  });

  test('releaseStorage detaches a pooled array; other arrays are left alone', () => {
    const a = new Float32Array(storageAllocator()!(8192, true));
    const view = a.subarray(10, 20);
    assert.equal(releaseStorage(a), true);
    assert.equal(a.length, 0);
    assert.equal(view.length, 0, 'a view reads nothing rather than the next owner');
    assert.equal(releaseStorage(a), false, 'twice is a no-op');
    assert.equal(releaseStorage(new Float32Array(4096)), false, 'not from the pool');
    assert.equal(releaseStorage(new Float32Array(8)), false, 'small');
  });

  test('a backward inside a watch (nested) releases nothing itself', () => {
    const seen: ArrayBuffer[] = [];
    const prev = watchStorage((b) => seen.push(b));
    try {
      const m = mlp(8);
      m.loss().loss.backward();
      assert.ok(seen.length > 0);
      assert.equal(released(seen), 0);
    } finally {
      watchStorage(prev);
    }
  });

  /** Attention's output and the gradients of q, k, v (those that require one) for sum(out · w). */
  const attention = (
    seed: number,
    needs: [boolean, boolean, boolean],
    opts: (q: Tensor) => AttentionOptions,
    kShape = [2, 3, 20, 16],
  ): number[][] => {
    manualSeed(seed);
    const q = randn([2, 3, 20, 16], { requiresGrad: needs[0] });
    const k = randn(kShape, { requiresGrad: needs[1] });
    const v = randn(kShape, { requiresGrad: needs[2] });
    const inputs = [q, k, v].map(values);
    const o = opts(q);
    const mask = o.mask === undefined || o.mask === null ? null : values(o.mask);
    const out = scaledDotProductAttention(q, k, v, o);
    const w = rand(out.shape);
    const result = [values(out)];
    if (needs.includes(true)) out.mul(w).sum().backward();
    [q, k, v].forEach((t, i) => {
      assert.deepEqual(values(t), inputs[i], 'the inputs are untouched');
      if (needs[i]) result.push(values(t.grad!));
    });
    if (mask !== null) assert.deepEqual(values(o.mask!), mask, 'the mask is untouched');
    return result;
  };

  const attentionCases: [string, [boolean, boolean, boolean], (q: Tensor) => AttentionOptions, number[]?][] = [
    ['q, k and v', [true, true, true], () => ({})],
    ['v only (no softmax node: the matmul reads the weights last)', [false, false, true], () => ({})],
    ['q only', [true, false, false], () => ({ causal: true })],
    [
      'a mask and key padding',
      [true, true, true],
      () => ({ mask: rand([20, 20]).gt(0.3), keyPadding: rand([2, 20]).gt(0.2) }),
    ],
    ['dropout while training', [true, true, true], () => ({ dropout: 0.3, training: true })],
    [
      'keys shared by the batch (2-D k and v: a reshape, not a matmul, gives the scores)',
      [true, true, true],
      () => ({}),
      [20, 16],
    ],
    ['no gradient at all', [false, false, false], () => ({})],
  ];
  for (const [name, needs, opts, kShape] of attentionCases) {
    test(`attention releases its own intermediates and gives the same values: ${name}`, () => {
      const ref = unreleased(() => attention(9, needs, opts, kShape));
      const { value, buffers } = recording(() => attention(9, needs, opts, kShape));
      assert.deepEqual(value, ref);
      if (kShape === undefined) assert.ok(released(buffers) >= 3, `released ${released(buffers)} of ${buffers.length}`);
    });
  }

  test('attention under noGrad releases its intermediates at once', () => {
    manualSeed(10);
    const q = randn([2, 3, 20, 16]);
    const ref = unreleased(() => values(noGrad(() => scaledDotProductAttention(q, q, q))));
    const { value, buffers } = recording(() => noGrad(() => scaledDotProductAttention(q, q, q)));
    assert.deepEqual(values(value), ref);
    // scaled q, kᵀ, scores, weights: all back; the output stays
    assert.equal(released(buffers), buffers.length - 1);
  });
});
