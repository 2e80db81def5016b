import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeModel } from '../../src/cli/supervised/model.js';
import { Tensor } from '../../src/tensor/index.js';
import { declaredParameters } from '../../src/transfer/arch/declared-size.js';
import { buildModel, inputShapeOf, resolveDescription } from '../../src/transfer/arch/registry.js';
import { loadPretrained, savePretrained } from '../../src/transfer/checkpoint.js';
import type { ArchDescription } from '../../src/transfer/arch/types.js';

const tasks = [{ name: 'topic', classes: 3 }];
const ids = (rows: number[][]): Tensor => new Tensor(Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]);

test("text 'mean': the average of the embedding rows of the tokens that are not padding", () => {
  const model = buildModel({ arch: 'text', config: { vocabSize: 10, maxLength: 5, embedDim: 4 }, tasks });
  model.eval();
  const names = model.namedParameters().map(([n]) => n);
  assert.deepEqual(names, ['trunk.embedding.weight', 'heads.topic.weight', 'heads.topic.bias']);
  const table = model.stateDict()['trunk.embedding.weight']!.data as Float32Array;
  const representation = model.run(
    ids([
      [3, 7, 7, 0, 0],
      [0, 0, 0, 0, 0],
    ]),
  ).representation!;
  assert.deepEqual(representation.shape, [2, 4]);
  for (let d = 0; d < 4; d++) {
    const expected = (table[3 * 4 + d]! + 2 * table[7 * 4 + d]!) / 3;
    assert.ok(Math.abs(representation.data[d]! - expected) < 1e-6, `dim ${d}`);
    assert.equal(representation.data[4 + d], 0, 'an empty text averages to zero');
  }
  // where the padding is does not matter
  const moved = model.run(ids([[0, 7, 3, 0, 7]])).representation!;
  for (let d = 0; d < 4; d++) assert.ok(Math.abs(moved.data[d]! - representation.data[d]!) < 1e-6);
});

test("text 'transformer': BERT names under trunk.bert, an empty text stays finite", () => {
  const desc: ArchDescription = {
    arch: 'text',
    config: {
      vocabSize: 12,
      maxLength: 6,
      padId: 0,
      encoder: 'transformer',
      embedDim: 8,
      layers: 1,
      heads: 2,
      hidden: 5,
    },
    tasks,
  };
  const model = buildModel(desc);
  model.eval();
  const names = model.namedParameters().map(([n]) => n);
  assert.ok(names.includes('trunk.bert.embeddings.word_embeddings.weight'), names.join(' '));
  assert.ok(names.includes('trunk.bert.encoder.layer.0.attention.self.query.weight'));
  assert.ok(names.includes('trunk.hidden.weight'));
  const a = model.forward(
    ids([
      [4, 5, 6, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
    ]),
  ).topic!;
  assert.deepEqual(a.shape, [2, 3]);
  assert.ok(Array.from(a.data).every(Number.isFinite));
  // a token in place of padding is read: the output changes
  const b = model.forward(ids([[4, 5, 6, 7, 0, 0]])).topic!;
  assert.ok([0, 1, 2].some((k) => Math.abs(a.data[k]! - b.data[k]!) > 1e-4));
  assert.throws(
    () => resolveDescription({ ...desc, config: { ...desc.config, heads: 3 } }),
    /embedDim 8 must be a multiple of heads 3/,
  );
  assert.throws(
    () => resolveDescription({ ...desc, config: { ...desc.config, padId: 12 } }),
    /padId 12 is outside the vocabulary of 12/,
  );
});

test("audio: M5's trunk without its classifier, [N, 1, samples] -> [N, 2·channels]; too short clips refused", () => {
  const model = buildModel({ arch: 'audio', config: { samples: 8000, channels: 8 }, tasks });
  const names = model.namedParameters().map(([n]) => n);
  assert.deepEqual(names.slice(0, 2), ['trunk.conv1.weight', 'trunk.conv1.bias']);
  assert.ok(!names.some((n) => n.includes('fc1')), names.join(' '));
  assert.ok(Object.keys(model.stateDict()).includes('trunk.bn4.running_mean'));
  const out = model.run(
    new Tensor(
      new Float32Array(2 * 8000).map((_, i) => Math.sin(i / 5)),
      [2, 1, 8000],
    ),
  );
  assert.deepEqual(out.representation!.shape, [2, 16]);
  assert.deepEqual(out.outputs.topic!.shape, [2, 3]);
  assert.deepEqual(inputShapeOf({ arch: 'audio', config: { samples: 8000 } }), [1, 8000]);
  assert.throws(
    () => buildModel({ arch: 'audio', config: { samples: 4000 }, tasks }),
    /clips of 4000 samples are too short for the audio CNN at stride 16: it needs at least \d+/,
  );
});

test('text and audio checkpoints rebuild the same model from their description', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-arch-'));
  try {
    for (const [desc, x] of [
      [{ arch: 'text', config: { vocabSize: 30, maxLength: 4, embedDim: 6, hidden: 3 }, tasks }, ids([[5, 9, 2, 0]])],
      [
        { arch: 'audio', config: { samples: 6000, channels: 4, stride: 8 }, tasks },
        new Tensor(
          new Float32Array(6000).map((_, i) => Math.cos(i)),
          [1, 1, 6000],
        ),
      ],
    ] as const) {
      const model = buildModel(desc);
      model.eval();
      const { path } = savePretrained(join(dir, desc.arch), model, desc);
      const back = loadPretrained(path);
      assert.equal(back.description.arch, desc.arch);
      back.model.eval();
      const a = model.forward(x).topic!;
      const b = back.model.forward(x).topic!;
      assert.deepEqual(Array.from(b.data), Array.from(a.data), desc.arch);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('describeModel: text takes the tokenizer sizes, and each arch refuses data of the other kind', () => {
  const text = describeModel(
    { arch: 'text', encoder: 'mean', embedDim: 16, layers: 2, heads: 4, hidden: 0 },
    [32],
    't',
    2,
    undefined,
    {
      vocabSize: 500,
      padId: 0,
    },
  );
  assert.deepEqual(text.config, {
    vocabSize: 500,
    maxLength: 32,
    padId: 0,
    encoder: 'mean',
    embedDim: 16,
    layers: 2,
    heads: 4,
    hidden: 0,
  });
  assert.throws(
    () =>
      describeModel(
        { arch: 'text', encoder: 'mean', embedDim: 16, layers: 2, heads: 4, hidden: 0 },
        [1, 28, 28],
        't',
        2,
      ),
    /text needs token ids from a text source/,
  );
  const audio = describeModel({ arch: 'audio', channels: 8, stride: 16 }, [1, 8000], 't', 2);
  assert.deepEqual(audio.config, { inChannels: 1, samples: 8000, channels: 8, stride: 16 });
  assert.throws(
    () => describeModel({ arch: 'audio', channels: 8, stride: 16 }, [784], 't', 2),
    /audio needs waveforms/,
  );
});

test('the declared size of a text or audio description is the size of the model it builds', () => {
  for (const desc of [
    { arch: 'text', config: { vocabSize: 50, maxLength: 8, embedDim: 6 }, tasks },
    {
      arch: 'text',
      config: { vocabSize: 50, maxLength: 8, embedDim: 8, encoder: 'transformer', layers: 2, heads: 2, hidden: 5 },
      tasks,
    },
    { arch: 'audio', config: { samples: 8000, channels: 4 }, tasks },
  ]) {
    const built = Object.values(buildModel(desc).stateDict()).reduce((n, t) => n + t.size, 0);
    assert.equal(declaredParameters(resolveDescription(desc)), built, JSON.stringify(desc.config));
  }
});
