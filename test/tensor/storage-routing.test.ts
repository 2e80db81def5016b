/**
 * Tensor storage that ops allocate goes through the storage allocator of src/core/dtype.ts (the
 * native backend's pool), outputs and gradients alike: norms, pooling, the loss, movement
 * gradients, dropout masks, random tensors. A test allocator hands out buffers that it remembers
 * and, when no zero fill is asked for, fills with NaN (the dirty memory of a reused block): every
 * op must give the values it gives on plain zeroed arrays, so an op that asks for unfilled memory
 * must write all of it.
 *
 * @example
 * // $ node --import ./dist/test/helpers/setup.js --test dist/test/tensor/storage-routing.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setStorageAllocator, storageAllocator, type StorageAllocator } from '../../src/core/dtype.js';
import { manualSeed } from '../../src/core/rng.js';
import {
  adaptiveAvgPool2d,
  avgPool2d,
  batchNorm,
  concat,
  dropout,
  layerNorm,
  maxPool2d,
  rand,
  randn,
  softmaxCrossEntropy,
  tensor,
  type Tensor,
} from '../../src/tensor/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

/** Buffers the dirty allocator handed out. */
const issued = new WeakSet<ArrayBuffer>();
const dirty: StorageAllocator = (bytes, zero) => {
  const ab = new ArrayBuffer(bytes);
  if (!zero) new Float32Array(ab, 0, bytes >> 2).fill(NaN);
  issued.add(ab);
  return ab;
};

/** An op's output and the gradients it sends to its inputs, for a fixed weighting of the output. */
interface Run {
  out: Tensor;
  grads: Tensor[];
}

/** Runs `make` (seeded) and backpropagates sum(out * w) for a fixed w into its inputs. */
function run(make: () => { out: Tensor; inputs: Tensor[] }): Run {
  manualSeed(3);
  const { out, inputs } = make();
  const w = rand(out.shape);
  out.mul(w).sum().backward();
  return { out, grads: inputs.map((t) => t.grad!) };
}

const x4 = (): Tensor => randn([4, 8, 12, 12], { requiresGrad: true }); // 4608 values: 18 KiB

const cases: [string, () => { out: Tensor; inputs: Tensor[] }][] = [
  [
    'batchNorm',
    () => {
      const x = x4();
      const rm = tensor(new Float32Array(8));
      const rv = tensor(new Float32Array(8).fill(1));
      const wb = [randn([8], { requiresGrad: true }), randn([8], { requiresGrad: true })] as const;
      return { out: batchNorm(x, rm, rv, wb[0], wb[1], { training: true }), inputs: [x, ...wb] };
    },
  ],
  [
    'layerNorm',
    () => {
      const x = x4();
      const wb = [randn([144], { requiresGrad: true }), randn([144], { requiresGrad: true })] as const;
      return { out: layerNorm(x, [12, 12], wb[0], wb[1]), inputs: [x, ...wb] };
    },
  ],
  ['maxPool2d', () => ((x) => ({ out: maxPool2d(x, 2), inputs: [x] }))(x4())],
  ['avgPool2d (overlapping windows)', () => ((x) => ({ out: avgPool2d(x, 3, { stride: 1 }), inputs: [x] }))(x4())],
  ['adaptiveAvgPool2d', () => ((x) => ({ out: adaptiveAvgPool2d(x, [5, 5]), inputs: [x] }))(x4())],
  [
    'softmaxCrossEntropy (an ignored row)',
    () => {
      const logits = randn([200, 10], { requiresGrad: true });
      const t = Int32Array.from({ length: 200 }, (_, i) => (i === 7 ? -100 : i % 10));
      return { out: softmaxCrossEntropy(logits, tensor(t)), inputs: [logits] };
    },
  ],
  ['dropout', () => ((x) => ({ out: dropout(x, 0.3, true), inputs: [x] }))(x4())],
  ['slice', () => ((x) => ({ out: x.slice(2, 3, 9), inputs: [x] }))(x4())],
  [
    'concat',
    () => {
      const a = x4();
      const b = randn([4, 8, 12, 3], { requiresGrad: true });
      return { out: concat([a, b], 3), inputs: [a, b] };
    },
  ],
  [
    'indexSelect (a repeated index)',
    () => ((x) => ({ out: x.indexSelect(2, tensor(Int32Array.from([0, 5, 5, 11]))), inputs: [x] }))(x4()),
  ],
  [
    'gather',
    () => {
      const x = x4();
      const idx = Int32Array.from({ length: 4 * 8 * 12 * 4 }, (_, i) => (i * 7) % 12);
      return { out: x.gather(3, tensor(idx).reshape([4, 8, 12, 4])), inputs: [x] };
    },
  ],
  [
    'rand and randn',
    () => ((x) => ({ out: x.mul(rand([4, 8, 12, 12])), inputs: [x] }))(randn([4, 8, 12, 12], { requiresGrad: true })),
  ],
];

for (const backend of BACKENDS) {
  describe(`tensor storage from the storage allocator, on the ${backend} backend`, () => {
    useBackend(backend);
    let prev: StorageAllocator | null = null;
    before(() => {
      prev = storageAllocator();
    });
    after(() => {
      setStorageAllocator(prev);
    });

    for (const [name, make] of cases) {
      test(`${name}: output and input gradients come from the allocator, with the values of zeroed arrays`, () => {
        setStorageAllocator(null);
        const want = run(make);
        setStorageAllocator(dirty);
        let got: Run;
        try {
          got = run(make);
        } finally {
          setStorageAllocator(prev);
        }
        assert.deepEqual(got.out.shape, want.out.shape);
        assert.deepEqual(Array.from(got.out.data), Array.from(want.out.data), `${name} output`);
        if (got.out.size * 4 >= 4096)
          assert.ok(issued.has(got.out.data.buffer as ArrayBuffer), `${name}: the output is the allocator's`);
        got.grads.forEach((g, i) => {
          assert.deepEqual(Array.from(g.data), Array.from(want.grads[i]!.data), `${name} gradient ${i}`);
          if (g.size * 4 >= 4096)
            assert.ok(issued.has(g.data.buffer as ArrayBuffer), `${name}: gradient ${i} is the allocator's`);
        });
      });
    }
  });
}
