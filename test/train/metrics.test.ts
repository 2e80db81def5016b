/**
 * Metrics on hand-computed cases: missing labels (NaN, mask, ignore index) left out, ties, batches
 * streamed or given at once, per-label values, directions and the errors that name the metric.
 * The average-precision and macro-F1 values are those of scikit-learn's average_precision_score and
 * f1_score(average='macro') on the same inputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, type Tensor } from '../../src/tensor/index.js';
import {
  accuracy,
  averagePrecision,
  binaryAccuracy,
  binaryF1,
  macroF1,
  mae,
  meanOf,
  mse,
  presentEntries,
  r2,
  rmse,
  topK,
  type Metric,
} from '../../src/train/index.js';

const close = (actual: number, expected: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what} ${actual} != ${expected}`);
const ints = (...v: number[]): Tensor => tensor(Int32Array.from(v));

function fed(m: Metric, batches: [Tensor, Tensor, Tensor?][]): number {
  m.reset();
  for (const [p, t, mask] of batches) m.update(p, t, mask);
  return m.compute();
}

test('accuracy and topK skip NaN, masked and ignored targets; ties go to the lower class as argmax does', () => {
  const batches: [Tensor, Tensor, Tensor?][] = [
    [
      tensor([
        [2, 1, 0],
        [0, 3, 1],
        [1, 1, 0],
      ]),
      ints(0, 2, 1),
    ], // right, wrong, tie → class 0: wrong
    [
      tensor([
        [0, 0, 5],
        [1, 0, 0],
      ]),
      tensor([2, NaN]),
    ], // right, missing
    [
      tensor([
        [0, 1, 0],
        [1, 0, 0],
      ]),
      ints(-100, 0),
      tensor([1, 0]),
    ], // ignored, masked
  ];
  close(fed(accuracy(), batches), 2 / 4, 'accuracy');
  close(fed(topK(1), batches), 2 / 4, 'top1');
  close(fed(topK(2), batches), 4 / 4, 'top2');
  close(
    fed(accuracy({ ignoreIndex: -1 }), [
      [
        tensor([
          [1, 0],
          [0, 1],
        ]),
        ints(-1, 0),
      ],
    ]),
    0,
    'custom ignore index',
  );
  close(fed(accuracy(), [[ints(3, 1), ints(3, 2)]]), 0.5, 'class-index predictions');
  assert.ok(Number.isNaN(fed(accuracy(), [[tensor([[1, 0]]), tensor([NaN])]])), 'nothing counted: NaN');
  const m = topK(5);
  assert.deepEqual([m.name, m.higherIsBetter], ['top5', true]);
  assert.throws(() => accuracy().update(tensor([[1, 0]]), tensor([0.5])), /accuracy: targets must be integers/);
  assert.throws(
    () => accuracy().update(tensor([[1, 0]]), ints(2)),
    /target 2 at row 0 is not a class index in \[0, 2\)/,
  );
  assert.throws(() => topK(0), /k must be a positive integer/);
  assert.throws(
    () => accuracy().update(tensor([[1, 0]]), ints(0), tensor([[1, 1]])),
    /mask \[1,2\] must have the target's shape \[1\] or be \[N\]/,
  );
});

test('macroF1 averages over the classes among targets or predictions, streaming or not', () => {
  // targets [0,1,0,0], predictions [0,1,1,2]: F1 per class 0.5, 2/3, 0 → 0.3888…
  const expected = (0.5 + 2 / 3 + 0) / 3;
  close(fed(macroF1(), [[ints(0, 1, 1, 2), ints(0, 1, 0, 0)]]), expected);
  close(
    fed(macroF1(), [
      [ints(0, 1), ints(0, 1)],
      [ints(1, 2, 0), ints(0, 0, -100)],
    ]),
    expected,
    'two batches, one ignored entry',
  );
  const scores = tensor([
    [5, 0, 0],
    [0, 5, 0],
    [0, 5, 0],
    [0, 0, 5],
  ]);
  close(fed(macroF1(), [[scores, ints(0, 1, 0, 0)]]), expected, 'from scores');
  assert.equal(macroF1().higherIsBetter, true);
});

test('multi-label binary accuracy and F1 per label, with NaN and masked entries missing', () => {
  const logits = tensor([
    [2, -1, 0.5],
    [-3, 4, -0.2],
    [1, 1, -1],
    [-1, -2, 3],
  ]);
  const targets = tensor([
    [1, NaN, 0],
    [1, 1, 0],
    [0, 1, NaN],
    [0, 0, 1],
  ]);
  const acc = binaryAccuracy();
  acc.update(logits, targets);
  assert.deepEqual(
    acc.computePerLabel().map((v) => +v.toFixed(12)),
    [0.5, 1, +(2 / 3).toFixed(12)],
  );
  close(acc.compute(), (0.5 + 1 + 2 / 3) / 3);
  const f1 = binaryF1();
  f1.update(logits, targets);
  assert.deepEqual(
    f1.computePerLabel().map((v) => +v.toFixed(12)),
    [0.5, 1, +(2 / 3).toFixed(12)],
  );
  // probabilities with another threshold: only those above 0.8 are positive
  const probs = binaryF1({ logits: false, threshold: 0.8 });
  probs.update(
    tensor([
      [0.9, 0.7],
      [0.85, 0.95],
    ]),
    tensor([
      [1, 1],
      [0, 1],
    ]),
  );
  assert.deepEqual(
    probs.computePerLabel().map((v) => +v.toFixed(12)),
    [+(2 / 3).toFixed(12), +(2 / 3).toFixed(12)],
  );
  // a label with every entry missing is NaN and left out of the mean
  const sparse = binaryAccuracy();
  sparse.update(tensor([[1, 1]]), tensor([[1, NaN]]));
  assert.ok(Number.isNaN(sparse.computePerLabel()[1]!));
  close(sparse.compute(), 1);
  assert.throws(() => binaryAccuracy().update(tensor([[1]]), tensor([[2]])), /targets must be 0 or 1/);
  const changing = binaryF1();
  changing.update(tensor([[1, 1]]), tensor([[1, 0]]));
  assert.throws(() => changing.update(tensor([[1]]), tensor([[1]])), /earlier batches had 2 labels, this one 1/);
});

test('average precision per label as scikit-learn computes it, ties as one threshold, labels without positives left out', () => {
  const one = averagePrecision();
  one.update(tensor([0.9, 0.8, 0.7, 0.6]), tensor([1, 0, 1, 0]));
  close(one.compute(), 0.5 + (0.5 * 2) / 3);
  const ties = averagePrecision();
  ties.update(tensor([0.5, 0.5, 0.2]), tensor([1, 0, 1]));
  close(ties.compute(), 0.25 + (0.5 * 2) / 3);

  const logits = tensor([
    [2, -1, 0.5],
    [-3, 4, -0.2],
    [1, 1, -1],
    [-1, -2, 3],
  ]);
  const targets = tensor([
    [1, NaN, 0],
    [1, 1, 0],
    [0, 1, NaN],
    [0, 0, 1],
  ]);
  const ap = averagePrecision();
  ap.update(logits.slice(0, 0, 2), targets.slice(0, 0, 2));
  ap.update(logits.slice(0, 2, 4), targets.slice(0, 2, 4));
  assert.deepEqual(ap.computePerLabel(), [0.75, 1, 1]);
  close(ap.compute(), 2.75 / 3);
  // masking the last sample leaves label 2 without a positive: NaN, and out of the mean
  const masked = averagePrecision();
  masked.update(logits, targets, tensor([1, 1, 1, 0]));
  const per = masked.computePerLabel();
  close(per[0]!, 0.5 + (0.5 * 2) / 3);
  assert.equal(per[1], 1);
  assert.ok(Number.isNaN(per[2]!));
  close(masked.compute(), (per[0]! + 1) / 2);
  assert.throws(() => averagePrecision().update(tensor([NaN]), tensor([1])), /prediction 0 is NaN/);
});

test('mse, mae and r2 over present entries; r2 per column with constant columns as scikit-learn', () => {
  const pred = tensor([1, 2, 3, 4]);
  const target = tensor([1, NaN, 5, 2]);
  close(fed(mse(), [[pred, target]]), 8 / 3);
  close(fed(mae(), [[pred, target]]), 4 / 3);
  close(fed(rmse(), [[pred, target]]), Math.sqrt(8 / 3));
  assert.equal(rmse().name, 'rmse');
  assert.equal(rmse().higherIsBetter, false);
  assert.ok(Number.isNaN(fed(rmse(), [[tensor([1]), tensor([NaN])]])), 'no present entry: NaN');
  close(fed(r2(), [[pred, target]]), 1 - 8 / (78 / 9));
  close(
    fed(r2(), [
      [pred.slice(0, 0, 2), target.slice(0, 0, 2)],
      [pred.slice(0, 2, 4), target.slice(0, 2, 4)],
    ]),
    1 - 8 / (78 / 9),
    'streamed',
  );
  close(fed(mse(), [[tensor([[1], [2]]), tensor([2, 2])]]), 0.5, '[N,1] against [N]');

  const p2 = tensor([
    [1, 0],
    [2, 0],
    [3, 1],
  ]);
  const t2 = tensor([
    [1, 5],
    [2, 5],
    [4, 5],
  ]);
  const col0 = 1 - 1 / (14 / 3);
  close(fed(r2(), [[p2, t2]]), (col0 + 0) / 2, 'constant column, not predicted exactly: 0');
  close(
    fed(r2(), [
      [
        tensor([
          [1, 5],
          [2, 5],
          [3, 5],
        ]),
        t2,
      ],
    ]),
    (col0 + 1) / 2,
    'constant column predicted exactly: 1',
  );
  close(
    fed(r2(), [
      [
        p2,
        t2,
        tensor([
          [1, 0],
          [1, 0],
          [1, 0],
        ]),
      ],
    ]),
    col0,
    'masked column left out',
  );
  assert.deepEqual([mse().higherIsBetter, mae().higherIsBetter, r2().higherIsBetter], [false, false, true]);
  assert.throws(
    () => mse().update(tensor([1, 2]), tensor([1, 2, 3])),
    /mse: predictions \[2\] must have as many elements as targets \[3\]/,
  );
});

test('meanOf weights batches by size; presentEntries reads NaN, masks and the ignore index', () => {
  const m = meanOf('loss', (p) => (p.shape[0] === 2 ? 1 : tensor([4])));
  close(
    fed(m, [
      [tensor([0, 0]), tensor([0, 0])],
      [tensor([0]), tensor([0])],
    ]),
    2,
  );
  assert.equal(m.higherIsBetter, false);
  assert.equal(meanOf('score', () => 1, { higherIsBetter: true }).higherIsBetter, true);
  assert.deepEqual(
    [
      ...presentEntries(
        'x',
        tensor([
          [1, NaN],
          [0, 1],
        ]),
        tensor([1, 0]),
      ),
    ],
    [1, 0, 0, 0],
  );
  assert.deepEqual([...presentEntries('x', ints(3, -100, 2), tensor([1, 1, 0]), -100)], [1, 0, 0]);
});
