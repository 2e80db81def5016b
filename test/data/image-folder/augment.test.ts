import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../../src/core/rng.js';
import { DataLoader, TensorDataset, type BatchTransform } from '../../../src/data/index.js';
import { cropBox, imageAugmentation, normalizeRows } from '../../../src/data/image-folder/index.js';
import { Tensor } from '../../../src/tensor/index.js';

const SHAPE = [3, 4, 6] as const;
const SIZE = 3 * 4 * 6;

/** n images whose values encode (image, channel, y, x), all in [0, 1]. */
function images(n: number): Float32Array {
  return Float32Array.from({ length: n * SIZE }, (_, i) => ((i * 37) % 101) / 100);
}

const batchOf = (x: Float32Array): { x: Tensor; y: Tensor } => ({
  x: new Tensor(x, [x.length / SIZE, ...SHAPE]),
  y: new Tensor(new Int32Array(x.length / SIZE), [x.length / SIZE]),
});

test('no augmentation is the identity (the very batch)', () => {
  const t = imageAugmentation({ flip: false }, SHAPE);
  const b = batchOf(images(2));
  assert.equal(t(b, new Rng(0)), b);
});

test('flip mirrors each row; a whole-image crop keeps the pixels', () => {
  const x = images(64);
  const flipped = imageAugmentation({ flip: true }, SHAPE)(batchOf(x), new Rng(3)).x.data as Float32Array;
  let mirrored = 0;
  for (let i = 0; i < 64; i++) {
    const same = x.subarray(i * SIZE, (i + 1) * SIZE).every((v, k) => v === flipped[i * SIZE + k]);
    const mirror = Array.from({ length: SIZE }, (_, k) => {
      const xx = k % 6;
      return x[i * SIZE + k - xx + (5 - xx)]!;
    }).every((v, k) => v === flipped[i * SIZE + k]);
    assert.ok(same !== mirror, `image ${i} is either kept or mirrored`);
    if (mirror) mirrored++;
  }
  assert.ok(mirrored > 16 && mirrored < 48, `about half flipped, got ${mirrored} of 64`);
  const whole = imageAugmentation({ resizedCrop: { scale: [1, 1], ratio: [1.5, 1.5] } }, SHAPE)(batchOf(x), new Rng(1));
  assert.deepEqual(
    [...(whole.x.data as Float32Array)].map((v) => Math.round(v * 1e5)),
    [...x].map((v) => Math.round(v * 1e5)),
  );
});

test('a crop box is inside the image and within the scale range (torchvision get_params)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), fc.nat(), (h, w, seed) => {
      const [top, left, ch, cw] = cropBox(h, w, [0.3, 1], [3 / 4, 4 / 3], new Rng(seed));
      assert.ok(
        top >= 0 && left >= 0 && ch >= 1 && cw >= 1 && top + ch <= h && left + cw <= w,
        `${[top, left, ch, cw]} in ${h}×${w}`,
      );
    }),
    { numRuns: 300, seed: 5 },
  );
});

test('the crop, flip and jitter are a function of the stream: same seed, same batch; another seed, another', () => {
  const t = imageAugmentation(
    {
      resizedCrop: { scale: [0.5, 1], ratio: [3 / 4, 4 / 3] },
      flip: true,
      jitter: { brightness: 0.4, contrast: 0.4, saturation: 0.4 },
    },
    SHAPE,
  );
  const x = images(8);
  const a = t(batchOf(x), new Rng(11)).x.data as Float32Array;
  const b = t(batchOf(x), new Rng(11)).x.data as Float32Array;
  const c = t(batchOf(x), new Rng(12)).x.data as Float32Array;
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.ok(
    a.every((v) => v >= 0 && v <= 1),
    'jittered values stay in [0, 1]',
  );
  assert.deepEqual(images(8), x, 'the input batch is not changed');
});

test('jitter on normalised batches un-normalises, jitters and normalises again', () => {
  const norm = { mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] };
  const jitter = { brightness: 0.3, contrast: 0, saturation: 0 };
  const x = images(4);
  const plain = imageAugmentation({ jitter }, SHAPE)(batchOf(x), new Rng(2)).x.data as Float32Array;
  const nx = Float32Array.from(x);
  normalizeRows(nx, 3, 24, norm);
  const viaNorm = imageAugmentation({ jitter, normalize: norm }, SHAPE)(batchOf(nx), new Rng(2)).x.data as Float32Array;
  const expected = Float32Array.from(plain);
  normalizeRows(expected, 3, 24, norm);
  expected.forEach((v, i) => assert.ok(Math.abs(v - viaNorm[i]!) < 1e-5, `${i}: ${v} vs ${viaNorm[i]}`));
  // brightness alone scales every pixel of an image by one factor in [0.7, 1.3] (before clamping)
  for (let i = 0; i < 4; i++) {
    // the factor, from the image's darkest non-black pixel (never clamped)
    let k = -1;
    for (let j = i * SIZE; j < (i + 1) * SIZE; j++) if (x[j]! > 0 && (k < 0 || x[j]! < x[k]!)) k = j;
    const f = plain[k]! / x[k]!;
    assert.ok(f >= 0.7 && f <= 1.3, `factor ${f}`);
    for (let j = i * SIZE; j < (i + 1) * SIZE; j++)
      assert.ok(Math.abs(plain[j]! - Math.min(1, x[j]! * f)) < 1e-5, `pixel ${j}`);
  }
});

test('the DataLoader hands each batch to the transform with a stream a resumed loader reproduces', () => {
  const ds = new TensorDataset(new Float32Array(20), [1], new Int32Array(20));
  const draws: number[][] = [];
  const record: BatchTransform = (b, rng) => {
    draws.push([b.x.shape[0]!, rng.nextU32()]);
    return b;
  };
  const full = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 9, transform: record });
  for (let e = 0; e < 2; e++) for (const _ of full);
  const all = draws.splice(0);
  assert.equal(all.length, 10);
  assert.equal(new Set(all.map(([, d]) => d)).size, 10, 'every batch draws from its own stream');
  // stop after 7 batches (2 of the second epoch), resume from the saved state
  const first = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 9, transform: record });
  let n = 0;
  let saved = first.state();
  outer: for (let e = 0; e < 2; e++)
    for (const _ of first) {
      if (++n === 7) {
        saved = first.state();
        break outer;
      }
    }
  const resumed = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 1234, transform: record });
  resumed.loadState(JSON.parse(JSON.stringify(saved)));
  for (const _ of resumed);
  assert.deepEqual(draws, all);
});
