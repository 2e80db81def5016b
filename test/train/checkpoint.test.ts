/**
 * Checkpoint directories: an exact round trip of weights, optimizer state and arbitrary resumable
 * state; the manifest as the mark of completeness; damaged files named; keep-last pruning with
 * cleanup of interrupted writes and removals; the JSON-plus-tensors state codec.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed } from '../../src/core/rng.js';
import { encodeSafetensors } from '../../src/io/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { randn, tensor } from '../../src/tensor/index.js';
import {
  CheckpointError,
  checkpointName,
  latestCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  packState,
  parseCheckpointName,
  pruneCheckpoints,
  readCheckpointFile,
  readManifest,
  saveCheckpoint,
  unpackState,
} from '../../src/train/index.js';
import { plain } from '../helpers/plain.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-ckpt-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bytesOf = (sd: Record<string, Tensor>): Buffer => Buffer.from(encodeSafetensors(sd));

test('a checkpoint round-trips weights, optimizer state, odd numbers, nested tensors and metadata exactly', () => {
  withDir((root) => {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.Linear(4, 2));
    const opt = new optim.AdamW(model.parameters(), { lr: 0.1 / 3 });
    new optim.CosineAnnealingLR(opt, { tMax: 10 });
    model
      .forward(randn([5, 3]))
      .square()
      .sum()
      .backward();
    opt.step();
    const state = {
      counters: { step: 7, lossSum: 0.1 + 0.2, odd: [NaN, Infinity, -Infinity, -0, 5e-324] },
      rng: [1, 2, 3, 4, NaN],
      $tensor: 'a user key that looks like a reference',
      nested: [{ t: tensor([1.5, -2]), i: tensor(Int32Array.of(3, -4)) }],
    };
    const info = saveCheckpoint(root, {
      step: 7,
      epoch: 1,
      model: model.stateDict(),
      optimizer: opt.stateDict(),
      state,
      metadata: { arch: 'mlp', tasks: ['a', 'b'] },
    });
    assert.equal(info.path, join(root, 'step-00000007-epoch-0001'));
    assert.deepEqual(readdirSync(info.path).sort(), [
      'manifest.json',
      'metadata.json',
      'model.safetensors',
      'optimizer.json',
      'optimizer.safetensors',
      'state.json',
      'state.safetensors',
    ]);

    const back = loadCheckpoint(info.path);
    assert.deepEqual(plain([back.step, back.epoch, back.metadata]), [7, 1, { arch: 'mlp', tasks: ['a', 'b'] }]);
    assert.ok(bytesOf(back.model).equals(bytesOf(model.stateDict())));
    const s = back.state as typeof state;
    assert.deepEqual(plain(s.counters), state.counters);
    assert.ok(Object.is(s.counters.odd[3], -0));
    assert.deepEqual(s.rng, state.rng);
    assert.equal(s.$tensor, state.$tensor);
    assert.deepEqual(s.nested[0]!.t.toArray(), [1.5, -2]);
    assert.equal(s.nested[0]!.i.dtype, 'int32');

    // the optimizer resumes exactly: one more step from the saved state equals one more step here
    const twin = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.Linear(4, 2));
    twin.loadStateDict(back.model);
    const twinOpt = new optim.AdamW(twin.parameters(), { lr: 1 });
    twinOpt.loadStateDict(back.optimizer as optim.OptimizerStateDict);
    assert.deepEqual(
      twinOpt.paramGroups.map((g) => [g.lr, g.initialLr]),
      opt.paramGroups.map((g) => [g.lr, g.initialLr]),
    );
    const x = randn([5, 3]);
    for (const [m, o] of [
      [model, opt],
      [twin, twinOpt],
    ] as const) {
      o.zeroGrad();
      m.forward(x).square().sum().backward();
      o.step();
    }
    assert.ok(bytesOf(twin.stateDict()).equals(bytesOf(model.stateDict())));
  });
});

test('only directories with a valid manifest count; a missing, damaged or unlisted file is reported', () => {
  withDir((root) => {
    const w = { w: tensor([1, 2, 3]) };
    saveCheckpoint(root, { step: 3, epoch: 0, model: w });
    const done = saveCheckpoint(root, { step: 6, epoch: 0, model: w }).path;
    // an interrupted write: files, but no manifest
    const partial = join(root, checkpointName(9, 0));
    mkdirSync(partial);
    writeFileSync(join(partial, 'model.safetensors'), encodeSafetensors(w));
    assert.deepEqual(
      listCheckpoints(root).map((c) => c.step),
      [3, 6],
    );
    assert.equal(latestCheckpoint(root)?.path, done);
    assert.throws(
      () => loadCheckpoint(partial),
      (e: unknown) => e instanceof CheckpointError && /no valid manifest\.json/.test(e.message),
    );
    assert.equal(latestCheckpoint(join(root, 'nothing-here')), null);

    const file = join(done, 'model.safetensors');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(file, bytes);
    assert.throws(() => loadCheckpoint(done), /model\.safetensors is damaged: \d+ bytes with SHA-256/);
    rmSync(file);
    assert.throws(() => loadCheckpoint(done), /model\.safetensors is listed in the manifest but cannot be read/);

    const m = readManifest(join(root, checkpointName(3, 0)))!;
    assert.deepEqual(Object.keys(m.files), ['model.safetensors']);
    writeFileSync(
      join(root, checkpointName(3, 0), 'manifest.json'),
      JSON.stringify({ ...m, files: { '../escape': m.files['model.safetensors'] } }),
    );
    assert.equal(
      readManifest(join(root, checkpointName(3, 0))),
      null,
      'a manifest naming a path outside its directory is not valid',
    );
    assert.deepEqual(parseCheckpointName('step-00000012-epoch-0003'), { step: 12, epoch: 3 });
    assert.equal(parseCheckpointName('step-12'), null);
  });
});

test('keepLast prunes older checkpoints, interrupted writes and leftovers; a same-named directory is replaced', () => {
  withDir((root) => {
    const model = { w: tensor([0]) };
    mkdirSync(join(root, checkpointName(1, 0))); // an interrupted write
    mkdirSync(join(root, '.trash-step-00000000-epoch-0000-abc')); // an interrupted removal
    mkdirSync(join(root, 'unrelated'));
    for (let step = 2; step <= 6; step++)
      saveCheckpoint(root, { step, epoch: 0, model: { w: tensor([step]) } }, { keepLast: 2 });
    assert.deepEqual(
      listCheckpoints(root).map((c) => c.step),
      [5, 6],
    );
    assert.deepEqual(readdirSync(root).sort(), ['step-00000005-epoch-0000', 'step-00000006-epoch-0000', 'unrelated']);

    const again = saveCheckpoint(root, { step: 6, epoch: 0, model: { w: tensor([60]) } }, { keepLast: 2 });
    assert.deepEqual(loadCheckpoint(again.path).model['w']!.toArray(), [60]);
    assert.deepEqual(pruneCheckpoints(root, 1), [join(root, checkpointName(5, 0))]);
    assert.throws(
      () => saveCheckpoint(root, { step: 7, epoch: 0, model }, { keepLast: 0 }),
      /keepLast must be a positive integer/,
    );
    assert.throws(() => saveCheckpoint(root, { step: -1, epoch: 0, model }), /step must be a non-negative integer/);
    assert.throws(() => saveCheckpoint(root, { step: 8, epoch: 0, model, state: { f: () => 1 } }), /'f' is a function/);
    assert.deepEqual(
      listCheckpoints(root).map((c) => c.step),
      [6],
      'a state that cannot be stored leaves nothing behind',
    );
  });
});

test('packState and unpackState keep values exact, escape $ keys, and refuse what JSON cannot hold', () => {
  const t = tensor([1, 2]);
  const packed = packState({ a: [t, { b: t.mul(2) }], n: -0, $x: { $tensor: 1 }, skip: undefined, __proto__x: 1 });
  assert.deepEqual(Object.keys(packed.tensors), ['a.0', 'a.1.b']);
  assert.deepEqual(plain(packed.json), {
    a: [{ $tensor: 'a.0' }, { b: { $tensor: 'a.1.b' } }],
    n: { $number: '-0' },
    $$x: { $$tensor: 1 },
    __proto__x: 1,
  });
  const back = unpackState(JSON.parse(JSON.stringify(packed.json)), packed.tensors) as Record<string, unknown>;
  assert.ok(Object.is(back['n'], -0));
  assert.deepEqual(plain(back['$x']), { $tensor: 1 });
  assert.equal((back['a'] as unknown[])[0], t);
  const hostile = unpackState(JSON.parse('{"__proto__": {"polluted": 1}}'), {}) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(hostile), null, 'a __proto__ key stays a key of a record with no prototype');
  assert.deepEqual(Object.keys(hostile), ['__proto__']);
  assert.throws(() => packState({ m: new Map() }), /'m' is a Map/);
  assert.throws(() => packState(new Float32Array(2)), /'\(root\)' is a Float32Array/);
  assert.throws(() => unpackState({ $tensor: 'missing' }, {}), /no tensor 'missing'/);
});

test('files added to a checkpoint are listed in its manifest, read back checked, and need plain names', () => {
  withDir((root) => {
    const model = { w: tensor([1, 2]) };
    const { path } = saveCheckpoint(root, { step: 1, epoch: 1, model, files: { 'tokenizer.json': '{"a":1}' } });
    assert.ok(readManifest(path)!.files['tokenizer.json'] !== undefined);
    assert.equal(readCheckpointFile(path, 'tokenizer.json')!.toString('utf8'), '{"a":1}');
    assert.equal(readCheckpointFile(path, 'other.json'), null);
    writeFileSync(join(path, 'tokenizer.json'), '{"a":2}');
    assert.throws(() => readCheckpointFile(path, 'tokenizer.json'), /tokenizer\.json is damaged/);
    for (const name of ['../x', 'a/b', 'model.safetensors', 'manifest.json', 'state.json', '.hidden'])
      assert.throws(
        () => saveCheckpoint(root, { step: 2, epoch: 1, model, files: { [name]: 'x' } }),
        /saveCheckpoint: files: .* is not a name a checkpoint can hold/,
        name,
      );
  });
});
