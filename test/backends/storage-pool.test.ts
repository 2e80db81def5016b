/**
 * The native storage pool (native/kernels/storage_pool.h, native/binding/bind_memory.cc) and its
 * hookup in src/core/dtype.ts: size classes, a block reused only once nothing views it, the zero
 * fill of zeroed allocations over dirty blocks, the retention cap, bad arguments, and a training
 * loop whose steady-state steps are served by reused blocks and touch almost no fresh page.
 * Garbage collection is forced with V8's `gc`, exposed at run time.
 *
 * @example
 * // $ node --import ./dist/test/helpers/setup.js --test dist/test/backends/storage-pool.test.js
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { setBackend } from '../../src/backend/registry.js';
import { poolLimitBytes, type NativeAddon } from '../../src/backends/native/index.js';
import { allocate, allocateEmpty } from '../../src/core/dtype.js';
import { ValueError } from '../../src/core/errors.js';
import { manualSeed, nn, optim, rand, tensor } from '../../src/index.js';
import { nativeTest } from './native-helpers.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Two full collections: the second one finishes the first one's (concurrent) freeing of buffers. */
function collect(): void {
  gc();
  gc();
}

/** Allocates a buffer of `bytes`, writes `value` into it and lets it go. */
function dirty(raw: NativeAddon, bytes: number, value: number): void {
  new Uint8Array(raw.allocStorage(bytes, false)).fill(value);
}

nativeTest(
  'requests are rounded up to 4 size classes per power of two; below 4 KiB (rounded to 64) they are not pooled',
  (_, raw) => {
    collect();
    raw.trimStoragePool(); // every request below gets a fresh block of its own class
    const cases: [number, number][] = [
      [4096, 4096],
      [4097, 5120],
      [5120, 5120],
      [5121, 6144],
      [7169, 8192],
      [2 ** 20, 2 ** 20],
      [2 ** 20 + 1, 1.25 * 2 ** 20],
      [3 * 2 ** 20 - 4, 3 * 2 ** 20],
      [3 * 2 ** 20 + 4, 3.5 * 2 ** 20],
      [4092, 4096],
      [100, 0],
      [4032, 0],
    ];
    for (const [bytes, cap] of cases) {
      const before = raw.storagePoolStats();
      const ab = raw.allocStorage(bytes, false);
      const after = raw.storagePoolStats();
      assert.equal(ab.byteLength, bytes);
      assert.equal(after.liveBytes - before.liveBytes, cap, `${bytes} bytes`);
      assert.equal(after.hits + after.misses - before.hits - before.misses, cap === 0 ? 0 : 1, `${bytes} bytes`);
    }
  },
);

nativeTest('a block goes back to the pool only when no view of it is left', (_, raw) => {
  const bytes = 12_000;
  collect();
  raw.trimStoragePool();
  const base = raw.storagePoolStats().liveBytes;
  // the ArrayBuffer and the whole view become garbage at once; only a subarray of it is kept
  const held: { view: Float32Array | null } = {
    view: new Float32Array(raw.allocStorage(bytes, false)).fill(7).subarray(100, 200),
  };
  collect();
  assert.equal(raw.storagePoolStats().liveBytes - base, 12_288, 'a subarray keeps its block out of the pool');
  const others = Array.from({ length: 8 }, () => new Float32Array(raw.allocStorage(bytes, false)).fill(1));
  assert.ok(held.view?.every((v) => v === 7) === true, 'no later buffer shares memory with the kept view');
  assert.equal(others.length, 8);
  held.view = null;
  others.length = 0;
  collect();
  assert.equal(raw.storagePoolStats().liveBytes, base, 'every block is back once nothing views it');
  const hits = raw.storagePoolStats().hits;
  raw.allocStorage(bytes, false);
  assert.equal(raw.storagePoolStats().hits, hits + 1, 'and the next request of its class reuses one');
});

nativeTest('zero-filled allocations are zero over a dirty block; allocateEmpty reuses one as it is', (_, raw) => {
  const n = 3000;
  const expectHit = (what: string, make: () => Int32Array | Float32Array | ArrayBuffer): Uint8Array => {
    dirty(raw, n * 4, 0xff);
    collect();
    const hits = raw.storagePoolStats().hits;
    const made = make();
    assert.equal(raw.storagePoolStats().hits, hits + 1, `${what} reuses the dirty block`);
    return made instanceof ArrayBuffer ? new Uint8Array(made) : new Uint8Array(made.buffer, made.byteOffset, n * 4);
  };
  assert.ok(expectHit('allocStorage(zero)', () => raw.allocStorage(n * 4, true)).every((b) => b === 0));
  assert.ok(expectHit("allocate('float32')", () => allocate('float32', n)).every((b) => b === 0));
  assert.ok(expectHit("allocate('int32')", () => allocate('int32', n)).every((b) => b === 0));
  const empty = allocateEmpty('int32', n);
  assert.ok(empty instanceof Int32Array && empty.length === n);
  expectHit("allocateEmpty('float32')", () => allocateEmpty('float32', n));
});

nativeTest('arrays under 4 KiB stay plain JavaScript arrays', (_, raw) => {
  const before = raw.storagePoolStats();
  const small = [allocate('float32', 1023), allocateEmpty('float32', 1023), allocateEmpty('int32', 10)];
  const after = raw.storagePoolStats();
  assert.equal(after.liveBytes, before.liveBytes);
  assert.equal(after.hits + after.misses, before.hits + before.misses);
  assert.ok(small[0]!.every((v) => v === 0));
});

nativeTest('the pool keeps at most its limit for reuse; 0 keeps nothing', (_, raw) => {
  const limit = raw.storagePoolStats().limitBytes;
  try {
    dirty(raw, 40_000, 1);
    collect();
    assert.ok(raw.storagePoolStats().retainedBytes > 0);
    raw.setStoragePoolLimit(0);
    assert.equal(raw.storagePoolStats().retainedBytes, 0, 'lowering the limit frees what is above it');
    dirty(raw, 40_000, 1);
    collect();
    assert.equal(raw.storagePoolStats().retainedBytes, 0, 'a released block over the limit is freed');
    raw.setStoragePoolLimit(65_536);
    for (let i = 0; i < 4; i++) dirty(raw, 40_960, 1);
    collect();
    const s = raw.storagePoolStats();
    assert.ok(
      s.retainedBytes <= 65_536 && s.retainedBlocks === 1,
      `retained ${s.retainedBytes} in ${s.retainedBlocks}`,
    );
    raw.trimStoragePool();
    assert.equal(raw.storagePoolStats().retainedBytes, 0);
  } finally {
    raw.setStoragePoolLimit(limit);
  }
});

nativeTest('bad arguments to the pool functions throw, naming the function', (_, raw) => {
  const untyped = raw as unknown as Record<string, (...args: unknown[]) => unknown>;
  const cases: [string, unknown[], typeof TypeError | typeof RangeError][] = [
    ['allocStorage', [-1, false], RangeError],
    ['allocStorage', [1.5, false], RangeError],
    ['allocStorage', [2 ** 41, false], RangeError],
    ['allocStorage', ['8', false], RangeError],
    ['allocStorage', [8, 'yes'], TypeError],
    ['allocStorage', [8], TypeError],
    ['setStoragePoolLimit', [-1], RangeError],
    ['setStoragePoolLimit', [NaN], RangeError],
    ['releaseStorage', [new Float32Array(2048)], TypeError],
    ['releaseStorage', [], TypeError],
  ];
  for (const [fn, args, type] of cases) {
    assert.throws(
      () => untyped[fn]!(...args),
      (e: unknown) => e instanceof type && new RegExp(`^polytask_native\\.${fn}: `).test((e as Error).message),
      `${fn}(${args.map(String).join(', ')})`,
    );
  }
});

test('POLYTASK_POOL_MAX_MB is a whole number of MiB, or unset', () => {
  assert.equal(poolLimitBytes(undefined), null);
  assert.equal(poolLimitBytes(''), null);
  assert.equal(poolLimitBytes('256'), 256 * 2 ** 20);
  assert.equal(poolLimitBytes('0'), 0);
  for (const bad of ['abc', '-1', '1.5', '1e3', '2000000', '0x10']) {
    assert.throws(
      () => poolLimitBytes(bad),
      (e: unknown) =>
        e instanceof ValueError && /^POLYTASK_POOL_MAX_MB: '.*' is not a whole number/.test((e as Error).message),
      bad,
    );
  }
});

nativeTest('V8 counts pooled buffers as external memory, so the collector keeps up with them', (_, raw) => {
  collect();
  const base = raw.storagePoolStats().liveBytes;
  let peak = 0;
  for (let i = 0; i < 2000; i++) {
    raw.allocStorage(2 ** 20, false); // 2 GiB in all, none of it kept
    peak = Math.max(peak, raw.storagePoolStats().liveBytes - base);
  }
  assert.ok(peak < 512 * 2 ** 20, `${peak / 2 ** 20} MiB handed out at once`);
});

/** An MLP training step (256-512-512-10, batch 128, Adam) on the native backend. */
function mlpStep(): () => void {
  setBackend('native');
  manualSeed(0);
  const model = new nn.Sequential(
    new nn.Linear(256, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );
  const x = rand([128, 256]);
  const y = tensor(Int32Array.from({ length: 128 }, (_, i) => i % 10));
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  return () => {
    opt.zeroGrad();
    nn.functional.crossEntropy(model.forward(x), y).backward();
    opt.step();
  };
}

/** Pool requests, fresh blocks and minor page faults over `steps` calls of `step`. */
function measure(
  raw: NativeAddon,
  steps: number,
  step: () => void,
): { requests: number; misses: number; faults: number } {
  const s0 = raw.storagePoolStats();
  const f0 = process.resourceUsage().minorPageFault;
  for (let i = 0; i < steps; i++) step();
  const s1 = raw.storagePoolStats();
  return {
    requests: s1.hits + s1.misses - s0.hits - s0.misses,
    misses: s1.misses - s0.misses,
    faults: process.resourceUsage().minorPageFault - f0,
  };
}

nativeTest('with a collection after every step, steady-state steps take only reused blocks', (_, raw) => {
  const step = mlpStep();
  const collected = (): void => {
    step();
    collect();
  };
  measure(raw, 5, collected);
  const m = measure(raw, 10, collected);
  // a step asks the pool for 16 buffers of 5 KiB to 512 KiB (about 3 MiB: 800 pages)
  assert.ok(m.requests >= 10 * 10, `${m.requests} pooled requests in 10 steps`);
  assert.equal(m.misses, 0, 'no fresh block');
  assert.ok(m.faults / 10 < 50, `${m.faults / 10} page faults a step`);
});

nativeTest('left to the collector, steady-state steps mostly reuse blocks and fault rarely', (_, raw) => {
  const step = mlpStep();
  measure(raw, 60, step);
  const m = measure(raw, 40, step);
  // loose bounds: the pool grows whenever the collector runs later than before (a new peak of
  // garbage); without reuse every request would miss and a step would fault ~800 times
  assert.ok(m.misses <= m.requests / 4, `${m.misses} fresh blocks for ${m.requests} requests`);
  assert.ok(m.faults / 40 < 200, `${m.faults / 40} page faults a step`);
});
