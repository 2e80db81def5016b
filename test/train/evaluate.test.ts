/**
 * evaluate and predict: one pass without a tape in eval mode with every module's mode restored,
 * metrics grouped by task (a single output for all, outputs by task, or explicit views), outputs
 * concatenated over batches, and the directions of a task's metrics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import { tensor, type Tensor } from '../../src/tensor/index.js';
import { accuracy, directionsOf, evaluate, mae, predict, r2, topK, withModesRestored } from '../../src/train/index.js';
import { plain } from '../helpers/plain.js';

/** y = x·W + b with W = [[1, 0], [0, 1]], b = 0, plus a dropout that must be off in evaluation. */
function identityNet(): nn.Sequential {
  const lin = new nn.Linear(2, 2);
  lin.weight.data.set([1, 0, 0, 1]);
  lin.bias!.data.set([0, 0]);
  return new nn.Sequential(lin, new nn.Dropout(0.9));
}

class TwoHeads extends nn.Module<[Tensor], Record<string, Tensor>> {
  body = identityNet();
  forward(x: Tensor): Record<string, Tensor> {
    const h = this.body.forward(x);
    return { cls: h, reg: h.slice(1, 0, 1).reshape([x.shape[0]!]) };
  }
}

const batches = [
  {
    x: tensor([
      [2, 1],
      [0, 3],
    ]),
    y: tensor(Int32Array.of(0, 0)),
  },
  { x: tensor([[1, 4]]), y: tensor(Int32Array.of(1)), mask: tensor([0]) },
];

test('evaluate runs without a tape in eval mode, restores every mode, and resets its metrics', () => {
  const model = identityNet();
  model.at(1).training = false; // a submodule the user froze stays frozen
  const acc = accuracy();
  acc.update(tensor([[0, 1]]), tensor(Int32Array.of(0)));
  const seen: boolean[] = [];
  const result = evaluate(
    model,
    batches,
    { digit: acc },
    {
      forward: (b) => {
        seen.push(model.training);
        const out = model.forward(b.x);
        assert.equal(out.requiresGrad, false);
        return out;
      },
    },
  );
  assert.deepEqual(
    plain(result),
    { digit: { accuracy: 0.5 } },
    'the masked sample and the stale update are not counted',
  );
  assert.deepEqual(plain(seen), [false, false]);
  assert.deepEqual(plain([model.training, model.at(0).training, model.at(1).training]), [true, true, false]);
  const unmasked = evaluate(
    model,
    batches,
    { digit: [accuracy(), topK(2)] },
    { views: (out, b) => ({ digit: { pred: out as Tensor, target: b.y } }) },
  );
  assert.deepEqual(plain(unmasked.digit), { accuracy: 2 / 3, top2: 1 }, 'views that drop the mask count every sample');
});

test('evaluate pairs outputs by task with batch.y by task, and says when it cannot', () => {
  const model = new TwoHeads();
  const data = [
    {
      x: tensor([
        [2, 1],
        [0, 3],
      ]),
      y: { cls: tensor(Int32Array.of(0, 0)), reg: tensor([2, 1]) },
    },
  ];
  const result = evaluate(model, data, { cls: accuracy(), reg: [mae(), r2()] });
  assert.deepEqual(plain(result), { cls: { accuracy: 0.5 }, reg: { mae: 0.5, r2: 1 - 1 / 0.5 } });
  assert.throws(
    () => evaluate(model, [{ x: tensor([[1, 1]]), y: tensor([1]) }], { depth: mae() }),
    /task 'depth''s prediction and target.*pass opts.views/,
  );
  assert.throws(
    () => evaluate(model, data, { cls: [accuracy(), accuracy()] }),
    /task 'cls' has two metrics named 'accuracy'/,
  );
  assert.deepEqual(plain(directionsOf({ cls: accuracy(), reg: [mae(), r2()] })), {
    cls: { accuracy: true },
    reg: { mae: false, r2: true },
  });
});

test('predict concatenates outputs over batches of a tensor or a loader, in eval mode', () => {
  const model = identityNet();
  const x = tensor(Array.from({ length: 7 }, (_, i) => [i, 10 - i]));
  const out = predict(model, x, { batchSize: 3 });
  assert.deepEqual(plain(out.toArray()), x.toArray(), 'dropout is off and all 7 rows come back in order');
  assert.equal(out.requiresGrad, false);
  assert.equal(model.training, true);
  const heads = predict<Record<string, Tensor>>(new TwoHeads(), batches);
  assert.deepEqual(plain(heads['reg']!.toArray()), [2, 0, 1]);
  assert.deepEqual(plain(heads['cls']!.shape), [3, 2]);
  assert.throws(() => predict(model, []), /the input holds no samples/);
  assert.throws(() => predict(model, x, { batchSize: 0 }), /batchSize must be a positive integer/);
});

test('withModesRestored restores modes after a throw and after a promise', async () => {
  const model = identityNet();
  assert.throws(
    () =>
      withModesRestored(model, () => {
        model.eval();
        throw new Error('boom');
      }),
    /boom/,
  );
  assert.equal(model.at(1).training, true);
  await withModesRestored(model, async () => {
    model.eval();
    await Promise.resolve();
  });
  assert.equal(model.at(1).training, true);
});
