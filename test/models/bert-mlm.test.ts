/**
 * Masked-language modelling: BertForMaskedLM against the PyTorch reference of
 * scripts/zoo_reference.py (Hugging Face's names, decoder tied to the word embeddings; logits, loss
 * over the labelled positions and every gradient within 1e-4 relative to the largest reference
 * value), and BERT's masking recipe by its statistics on a fixed seed. The reference is written
 * into a temporary directory (a few seconds); without /usr/bin/python3 and torch that part is skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { loadSafetensors } from '../../src/io/index.js';
import { BertForMaskedLM } from '../../src/models/zoo/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { maskTokens, MLM_IGNORE } from '../../src/train/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

const PYTHON = '/usr/bin/python3';
const GENERATOR = fileURLToPath(new URL('../../../scripts/zoo_reference.py', import.meta.url));
const TOLERANCE = 1e-4;
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

/** max|a − b| / max(max|b|, floor), after checking the shapes agree. */
function relError(actual: Tensor, expected: Tensor, what: string, floor = 0): number {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.size; i++) {
    diff = Math.max(diff, Math.abs(actual.data[i]! - expected.data[i]!));
    scale = Math.max(scale, Math.abs(expected.data[i]!));
  }
  scale = Math.max(scale, floor);
  return scale === 0 ? diff : diff / scale;
}

describe(
  'BertForMaskedLM against PyTorch',
  { skip: hasTorch ? false : `${PYTHON} with torch is not available` },
  () => {
    let dir = '';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'polytask-mlm-'));
      const r = spawnSync(PYTHON, [GENERATOR, dir, 'bert_mlm'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`zoo_reference.py failed: ${r.stderr}`);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const backend of BACKENDS) {
      describe(`on ${backend}`, () => {
        useBackend(backend);
        test('strict load, logits, masked loss and every gradient within 1e-4', () => {
          const state = loadSafetensors(join(dir, 'bert_mlm.safetensors'));
          // a Hugging Face checkpoint saves the tied decoder twice: the copies equal the tied tensors
          for (const [copy, tied] of [
            ['cls.predictions.decoder.weight', 'bert.embeddings.word_embeddings.weight'],
            ['cls.predictions.decoder.bias', 'cls.predictions.bias'],
          ] as const) {
            assert.deepEqual([...state[copy]!.data], [...state[tied]!.data], `${copy} is ${tied}`);
            delete state[copy];
          }
          const model = new BertForMaskedLM({
            vocabSize: 50,
            hiddenSize: 32,
            numHeads: 4,
            numLayers: 2,
            intermediateSize: 64,
            maxPositions: 16,
            hiddenDropout: 0,
            attentionDropout: 0,
          });
          model.loadStateDict(state, { strict: true });
          model.eval();
          const io = loadSafetensors(join(dir, 'bert_mlm.io.safetensors'));
          const inputs = { attentionMask: io['attention_mask']! };
          const logits = model.forward(io['ids']!, inputs);
          assert.ok(relError(logits, io['logits']!, 'logits') <= TOLERANCE, 'logits');
          const loss = model.loss(io['ids']!, io['labels']!, inputs);
          assert.ok(Math.abs(loss.item() - io['loss']!.item()) <= TOLERANCE * Math.abs(io['loss']!.item()), 'loss');
          loss.backward();
          const grads = loadSafetensors(join(dir, 'bert_mlm.grads.safetensors'));
          const params = model.namedParameters();
          // the tied decoder is one parameter: its gradient sums the embedding's and the decoder's;
          // the pooler is not on the loss's path (PyTorch leaves it no gradient, a zero one here)
          const pooler = params.filter(([k]) => k.startsWith('bert.pooler.'));
          assert.equal(pooler.length, 2);
          for (const [name, p] of pooler) assert.ok(p.grad === null || p.grad.data.every((v) => v === 0), name);
          const onPath = params.filter(([k]) => !k.startsWith('bert.pooler.'));
          assert.deepEqual(onPath.map(([k]) => k).sort(), Object.keys(grads).sort());
          // a gradient that is zero in exact arithmetic (the key bias: softmax ignores a shift) is
          // compared relative to 1e-3 of the largest gradient, as test/models/zoo.test.ts does
          let largest = 0;
          for (const g of Object.values(grads)) for (const v of g.data) largest = Math.max(largest, Math.abs(v));
          for (const [name, p] of onPath) {
            assert.ok(p.grad !== null, `${name} got no gradient`);
            const e = relError(p.grad, grads[name]!, name, 1e-3 * largest);
            assert.ok(e <= TOLERANCE, `${name}: gradient relative error ${e}`);
          }
        });
      });
    }
  },
);

describe("BERT's masking recipe", () => {
  const vocabSize = 1000;
  const special = [0, 1, 2, 3];
  const maskId = 3;
  // 200,000 tokens, a fifth of them padding (id 0)
  const rng = new Rng(7);
  const ids = Int32Array.from({ length: 200_000 }, (_, i) => (i % 5 === 4 ? 0 : 4 + rng.int(vocabSize - 4)));

  test('15% of ordinary tokens chosen; of those 80% [MASK], 10% random, 10% kept; labels only there', () => {
    const { inputs, labels, chosen } = maskTokens(ids, { vocabSize, maskId, special, rng: new Rng(0) });
    const ordinary = ids.filter((id) => id !== 0).length;
    const total = chosen.masked + chosen.random + chosen.kept;
    // binomial sd of the chosen share is 0.0009 here: 0.005 is more than five of them
    assert.ok(Math.abs(total / ordinary - 0.15) < 0.005, `chosen share ${total / ordinary}`);
    assert.ok(Math.abs(chosen.masked / total - 0.8) < 0.015, `[MASK] share ${chosen.masked / total}`);
    assert.ok(Math.abs(chosen.random / total - 0.1) < 0.01, `random share ${chosen.random / total}`);
    assert.ok(Math.abs(chosen.kept / total - 0.1) < 0.01, `kept share ${chosen.kept / total}`);
    let labelled = 0;
    let maskedSeen = 0;
    let changed = 0;
    for (let i = 0; i < ids.length; i++) {
      if (labels[i] === MLM_IGNORE) {
        assert.equal(inputs[i], ids[i], `position ${i} is not chosen but changed`);
        continue;
      }
      labelled += 1;
      assert.notEqual(ids[i], 0, 'padding is never chosen');
      assert.equal(labels[i], ids[i], 'the label is the original token');
      if (inputs[i] === maskId) maskedSeen += 1;
      else if (inputs[i] !== ids[i]) {
        changed += 1;
        assert.ok(!special.includes(inputs[i]!), `a random replacement is never special (${inputs[i]})`);
      }
    }
    assert.equal(labelled, total);
    assert.equal(maskedSeen, chosen.masked);
    // a random replacement may draw the token itself (1 in 996): nearly all of them differ
    assert.ok(changed <= chosen.random && changed >= chosen.random - 10, `${changed} of ${chosen.random}`);
  });

  test('the same seed masks the same way; another seed does not', () => {
    const a = maskTokens(ids, { vocabSize, maskId, special, rng: new Rng(1) });
    const b = maskTokens(ids, { vocabSize, maskId, special, rng: new Rng(1) });
    const c = maskTokens(ids, { vocabSize, maskId, special, rng: new Rng(2) });
    assert.deepEqual(a.inputs, b.inputs);
    assert.deepEqual(a.labels, b.labels);
    assert.notDeepEqual(a.labels, c.labels);
  });

  test('the shares are options; bad ones are refused', () => {
    const all = maskTokens(ids.subarray(0, 1000), {
      vocabSize,
      maskId,
      special,
      rng: new Rng(0),
      probability: 1,
      maskShare: 1,
      randomShare: 0,
    });
    assert.equal(all.chosen.masked, 800);
    assert.throws(
      () => maskTokens(ids, { vocabSize, maskId, special, rng: new Rng(0), maskShare: 0.95, randomShare: 0.1 }),
      /maskShare \+ randomShare must be at most 1/,
    );
    assert.throws(
      () => maskTokens(ids, { vocabSize, maskId: vocabSize, special, rng: new Rng(0) }),
      /outside the vocabulary/,
    );
  });
});
