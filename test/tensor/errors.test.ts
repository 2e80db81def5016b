/**
 * Bad input gives an error of the right class whose message names the op and what was wrong
 * (shapes, dtype, index, option): the messages are asserted whole, because they are the interface
 * a user reads.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adaptiveAvgPool2d,
  arange,
  avgPool2d,
  batchNorm,
  concat,
  conv2d,
  dropout,
  grad,
  layerNorm,
  linear,
  maxPool2d,
  ones,
  randn,
  softmaxCrossEntropy,
  stack,
  tensor,
  Tensor,
  where,
  zeros,
} from '../../src/tensor/index.js';

type Kind = 'ShapeError' | 'DTypeError' | 'ValueError' | 'PolytaskError';

/** Asserts fn throws a `name` error with exactly `message`. */
function fails(fn: () => unknown, name: Kind, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error, 'an Error');
    assert.equal(e.message, message);
    assert.equal(e.name, name);
    return true;
  });
}

const ints = (...v: number[]): Tensor => tensor(Int32Array.from(v));

describe('shapes', () => {
  test('matmul', () => {
    fails(() => zeros([4, 5]).matmul(zeros([6, 3])), 'ShapeError', 'matmul: inner dimensions differ: [4,5] @ [6,3]');
    fails(() => zeros([3]).matmul(zeros([4])), 'ShapeError', 'matmul: inner dimensions differ: [3] @ [4]');
    fails(() => zeros([2, 3]).matmul(zeros([2])), 'ShapeError', 'matmul: inner dimensions differ: [2,3] @ [2]');
    fails(
      () => zeros([2, 3, 4]).matmul(zeros([3, 4, 5])),
      'ShapeError',
      'matmul: shapes do not broadcast: [2] and [3]',
    );
    fails(() => zeros([]).matmul(zeros([3])), 'ShapeError', 'matmul: needs at least 1-D operands: [] @ [3]');
  });
  test('linear', () => {
    fails(
      () => linear(zeros([2, 3]), zeros([4, 5])),
      'ShapeError',
      'linear: input features differ: input [2,3] for weight [4,5]',
    );
    fails(
      () => linear(zeros([]), zeros([4, 3])),
      'ShapeError',
      'linear: input features differ: input [] for weight [4,3]',
    );
    fails(() => linear(zeros([2, 3]), zeros([3])), 'ShapeError', 'linear: weight must be [out, in], got [3]');
    fails(() => linear(zeros([2, 3]), zeros([4, 3]), zeros([3])), 'ShapeError', 'linear: bias must be [4], got [3]');
  });
  test('elementwise broadcasting', () => {
    fails(() => zeros([2, 3]).add(zeros([4])), 'ShapeError', 'add: shapes do not broadcast: [2,3] and [4]');
    fails(() => zeros([3, 1, 4]).mul(zeros([5, 2])), 'ShapeError', 'mul: shapes do not broadcast: [3,1,4] and [5,2]');
    fails(() => where(zeros([2]), zeros([3]), 0), 'ShapeError', 'where: shapes do not broadcast: [2] and [3]');
    fails(() => zeros([3, 2]).expand([3, 4]), 'ShapeError', 'expand: shapes do not broadcast: [3,2] and [3,4]');
    fails(() => zeros([3, 1]).expand([1]), 'ShapeError', 'expand: cannot expand [3,1] to [1]');
  });
  test('reshape', () => {
    fails(() => zeros([2, 3]).reshape([4, 2]), 'ShapeError', 'reshape: cannot reshape [2,3] (6 elements) into [4,2]');
    fails(() => zeros([2, 3]).reshape([-1, 4]), 'ShapeError', 'reshape: cannot reshape [2,3] into [-1,4]');
    fails(() => zeros([2, 3]).reshape([-1, -1]), 'ShapeError', 'reshape: at most one dimension can be -1, got [-1,-1]');
    fails(
      () => zeros([2, 3]).reshape([-2, -3]),
      'ShapeError',
      'reshape: invalid shape [-2,-3]: dimensions must be non-negative integers',
    );
  });
  test('concat and stack', () => {
    fails(
      () => concat([zeros([2, 3]), zeros([3, 3])], 1),
      'ShapeError',
      'concat: shapes [2,3], [3,3] differ outside axis 1',
    );
    fails(() => concat([zeros([2, 3]), zeros([3])]), 'ShapeError', 'concat: shapes [2,3], [3] differ outside axis 0');
    fails(() => concat([]), 'ValueError', 'concat: needs at least one tensor');
    fails(() => stack([zeros([2, 3]), zeros([3, 2])]), 'ShapeError', 'stack: shapes differ: [2,3], [3,2]');
  });
  test('indexing', () => {
    fails(
      () => zeros([3, 2]).indexSelect(0, tensor(new Int32Array(4), [2, 2])),
      'ShapeError',
      'indexSelect: indices must be 1-D, got [2,2]',
    );
    fails(
      () => zeros([3, 2]).gather(1, tensor(new Int32Array(8), [4, 2])),
      'ShapeError',
      'gather: index shape [4,2] does not fit input [3,2] along axis 1',
    );
    fails(
      () => zeros([3, 2]).gather(1, ints(0, 1)),
      'ShapeError',
      'gather: index shape [2] does not fit input [3,2] along axis 1',
    );
  });
  test('normalisation and loss', () => {
    fails(
      () => layerNorm(zeros([2, 3]), [4], null, null),
      'ShapeError',
      'layerNorm: normalized shape [4] is not the tail of input [2,3]',
    );
    fails(
      () => layerNorm(zeros([3]), [1, 3], null, null),
      'ShapeError',
      'layerNorm: normalized shape [1,3] is not the tail of input [3]',
    );
    fails(
      () => layerNorm(zeros([2, 3]), [3], zeros([4]), null),
      'ShapeError',
      'layerNorm: weight must have 3 elements, got [4]',
    );
    fails(
      () => batchNorm(zeros([3]), null, null, null, null, { training: true }),
      'ShapeError',
      'batchNorm: input must be [N,C,...], got [3]',
    );
    fails(
      () => batchNorm(zeros([2, 3]), zeros([4]), null, null, null, { training: true }),
      'ShapeError',
      'batchNorm: runningMean must have 3 elements (channels of [2,3]), got [4]',
    );
    fails(
      () => batchNorm(zeros([1, 3]), null, null, null, null, { training: true }),
      'ShapeError',
      'batchNorm: training needs more than one value per channel, got input [1,3]',
    );
    fails(
      () => softmaxCrossEntropy(zeros([2, 4, 1]), ints(0, 1)),
      'ShapeError',
      'crossEntropy: logits must be [rows, classes], got [2,4,1]',
    );
    fails(
      () => softmaxCrossEntropy(zeros([2, 4]), ints(0, 1, 2)),
      'ShapeError',
      'crossEntropy: targets must be [2] for logits [2,4], got [3]',
    );
  });
  test('creation and scalars', () => {
    fails(
      () => new Tensor(new Float32Array(5), [2, 3]),
      'ShapeError',
      'tensor: data has 5 elements but shape [2,3] needs 6',
    );
    fails(() => randn([-1]), 'ShapeError', 'randn: invalid shape [-1]: dimensions must be non-negative integers');
    fails(() => zeros([2, 1.5]), 'ShapeError', 'full: invalid shape [2,1.5]: dimensions must be non-negative integers');
    fails(() => zeros([2]).item(), 'ShapeError', 'item: needs exactly one element, got shape [2]');
    fails(() => arange(0, 5, 0), 'ValueError', 'arange: step must be a non-zero finite number, got 0');
  });
});

describe('ragged nested arrays', () => {
  test('rows of different lengths, numbers beside arrays, at any depth', () => {
    fails(
      () => tensor([[1, 2], [3]]),
      'ShapeError',
      'tensor: ragged nested array: expected 2 entries at depth 1, shape [2,2]',
    );
    fails(
      () => tensor([[1], [2, 3]]),
      'ShapeError',
      'tensor: ragged nested array: expected 1 entries at depth 1, shape [2,1]',
    );
    fails(() => tensor([1, [2]]), 'ShapeError', 'tensor: ragged nested array: expected a number at depth 1');
    fails(
      () => tensor([[1], 2]),
      'ShapeError',
      'tensor: ragged nested array: expected 1 entries at depth 1, shape [2,1]',
    );
    fails(
      () =>
        tensor([
          [
            [1, 2],
            [3, 4],
          ],
          [[5, 6], [7]],
        ]),
      'ShapeError',
      'tensor: ragged nested array: expected 2 entries at depth 2, shape [2,2,2]',
    );
  });
  test('typed arrays other than Float32Array and Int32Array', () => {
    fails(
      () => tensor(new Float64Array(3) as unknown as Float32Array),
      'ValueError',
      'tensor: typed arrays must be Float32Array or Int32Array',
    );
  });
});

describe('dtypes', () => {
  test('float ops on int32', () => {
    fails(() => ints(1, 2, 3).exp(), 'DTypeError', 'exp: expects a float32 tensor, got int32 of shape [3]');
    fails(() => ints(1, 2).sum(), 'DTypeError', 'sum: expects a float32 tensor, got int32 of shape [2]');
    fails(() => ints(1, 2).softmax(), 'DTypeError', 'softmax: expects a float32 tensor, got int32 of shape [2]');
    fails(
      () => ints(1, 2).matmul(ints(1, 2)),
      'DTypeError',
      'matmul: expects a float32 tensor, got int32 of shape [2]',
    );
    fails(
      () => conv2d(tensor(new Int32Array(16), [1, 1, 4, 4]), zeros([1, 1, 2, 2]), null),
      'DTypeError',
      'conv2d: expects a float32 tensor, got int32 of shape [1,1,4,4]',
    );
    fails(
      () => ints(1, 2, 3).div(ints(1, 1, 1)),
      'DTypeError',
      'div: is not defined on int32 tensors; call toFloat() first',
    );
    fails(
      () => where(ints(1, 0), zeros([2]), 0),
      'DTypeError',
      'where (condition): expects a float32 tensor, got int32 of shape [2]',
    );
  });
  test('mixing dtypes', () => {
    fails(
      () => ints(1, 2, 3).add(zeros([3])),
      'DTypeError',
      'add: dtypes differ: int32 [3] and float32 [3]; convert with toFloat() or toInt()',
    );
    fails(
      () => ints(1, 2, 3).add(0.5),
      'DTypeError',
      'add: cannot combine an int32 tensor with the non-integer 0.5; call toFloat() first',
    );
    fails(() => concat([zeros([2]), ints(1)]), 'DTypeError', 'concat: dtypes differ: float32 and int32');
    fails(
      () => tensor([1, 2], undefined, { dtype: 'int32', requiresGrad: true }),
      'ValueError',
      'tensor: only float32 tensors can require gradients',
    );
  });
  test('float indices and targets', () => {
    fails(
      () => zeros([3, 2]).indexSelect(0, tensor([0, 1])),
      'DTypeError',
      'indexSelect: indices must be int32, got float32',
    );
    fails(() => zeros([3, 2]).gather(0, zeros([3, 2])), 'DTypeError', 'gather: indices must be int32, got float32');
    fails(
      () => softmaxCrossEntropy(zeros([2, 3]), tensor([0, 1])),
      'DTypeError',
      'crossEntropy: targets must be int32 class indices, got float32',
    );
  });
});

describe('out-of-range indices and targets', () => {
  test('indexSelect and gather', () => {
    fails(() => zeros([3, 2]).indexSelect(0, ints(0, 3)), 'ValueError', 'indexSelect: index 3 out of range [0, 3)');
    fails(() => zeros([3, 2]).indexSelect(0, ints(-1)), 'ValueError', 'indexSelect: index -1 out of range [0, 3)');
    fails(
      () => zeros([3, 2]).gather(1, tensor(Int32Array.of(0, 2), [1, 2])),
      'ValueError',
      'gather: index 2 out of range [0, 2)',
    );
  });
  test('cross-entropy targets (a negative one is only allowed as the ignoreIndex)', () => {
    fails(
      () => softmaxCrossEntropy(zeros([2, 4]), ints(0, 4)),
      'ValueError',
      'crossEntropy: target 4 at row 1 out of range [0, 4)',
    );
    fails(
      () => softmaxCrossEntropy(zeros([2, 4]), ints(0, -1)),
      'ValueError',
      'crossEntropy: target -1 at row 1 out of range [0, 4)',
    );
    assert.doesNotThrow(() => softmaxCrossEntropy(zeros([2, 4]), ints(0, -1), { ignoreIndex: -1 }));
  });
});

describe('conv and pool geometry', () => {
  const x = zeros([1, 1, 5, 5]);
  const w = zeros([1, 1, 3, 3]);
  test('conv2d', () => {
    fails(
      () => conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 5, 5]), null),
      'ShapeError',
      'conv2d: kernel 5x5 does not fit input [1,1,3,3] with padding 0,0',
    );
    fails(
      () => conv2d(x, w, null, { dilation: 3 }),
      'ShapeError',
      'conv2d: kernel 3x3 does not fit input [1,1,5,5] with padding 0,0',
    );
    fails(
      () => conv2d(zeros([1, 3, 5, 5]), zeros([4, 2, 3, 3]), null),
      'ShapeError',
      'conv2d: weight [4,2,3,3] expects 2 input channels, input [1,3,5,5] has 3',
    );
    fails(
      () => conv2d(zeros([1, 4, 5, 5]), zeros([3, 2, 3, 3]), null, { groups: 2 }),
      'ShapeError',
      'conv2d: channels 4 in and 3 out must both divide by groups=2',
    );
    fails(
      () => conv2d(zeros([1, 4, 5, 5]), zeros([3, 2, 3, 3]), null, { groups: 0 }),
      'ValueError',
      'conv2d: groups must be a positive integer, got 0',
    );
    fails(() => conv2d(x, w, null, { stride: 0 }), 'ValueError', 'conv2d: stride must be an integer >= 1, got 0');
    fails(() => conv2d(x, w, null, { padding: -1 }), 'ValueError', 'conv2d: padding must be an integer >= 0, got -1');
    fails(
      () => conv2d(x, w, null, { dilation: [1, 1.5] }),
      'ValueError',
      'conv2d: dilation must be an integer >= 1, got 1,1.5',
    );
    fails(() => conv2d(zeros([1, 5, 5]), w, null), 'ShapeError', 'conv2d: input must be [N,C,H,W], got [1,5,5]');
    fails(
      () => conv2d(x, zeros([1, 3, 3]), null),
      'ShapeError',
      'conv2d: weight must be [O,C/groups,KH,KW], got [1,3,3]',
    );
    fails(() => conv2d(x, zeros([2, 1, 3, 3]), zeros([3])), 'ShapeError', 'conv2d: bias must be [2], got [3]');
  });
  test('pooling', () => {
    fails(() => maxPool2d(zeros([1, 1, 3, 3]), 4), 'ShapeError', 'maxPool2d: kernel 4x4 does not fit input [1,1,3,3]');
    fails(
      () => maxPool2d(x, 3, { padding: 2 }),
      'ShapeError',
      'maxPool2d: padding 2,2 must be at most half the kernel 3x3',
    );
    fails(() => maxPool2d(x, 3, { stride: 0 }), 'ValueError', 'maxPool2d: stride must be an integer >= 1, got 0');
    fails(() => maxPool2d(zeros([1, 5, 5]), 2), 'ShapeError', 'maxPool2d: input must be [N,C,H,W], got [1,5,5]');
    fails(() => avgPool2d(x, 0), 'ValueError', 'avgPool2d: kernel must be an integer >= 1, got 0');
    fails(
      () => avgPool2d(x, 2, { padding: [0, 2] }),
      'ShapeError',
      'avgPool2d: padding 0,2 must be at most half the kernel 2x2',
    );
    fails(() => adaptiveAvgPool2d(x, 0), 'ValueError', 'adaptiveAvgPool2d: outputSize must be an integer >= 1, got 0');
    fails(
      () => adaptiveAvgPool2d(zeros([1, 5, 5]), 2),
      'ShapeError',
      'adaptiveAvgPool2d: input must be [N,C,H,W], got [1,5,5]',
    );
  });
});

describe('options', () => {
  test('dropout p must be a number in [0, 1]', () => {
    for (const [p, shown] of [
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [1.5, '1.5'],
      [-0.1, '-0.1'],
    ] as const) {
      fails(() => dropout(zeros([3]), p, true), 'ValueError', `dropout: p must be in [0, 1], got ${shown}`);
    }
    // checked when not training too: a bad p fails even in a run that only evaluates
    fails(() => dropout(zeros([3]), NaN, false), 'ValueError', 'dropout: p must be in [0, 1], got NaN');
  });
  test('clamp bounds must be ordered numbers', () => {
    fails(() => zeros([2]).clamp(1, 0), 'ValueError', 'clamp: needs min <= max, got min 1 and max 0');
    fails(() => zeros([2]).clamp(NaN, 1), 'ValueError', 'clamp: needs min <= max, got min NaN and max 1');
  });
  test('label smoothing must be a number in [0, 1]', () => {
    for (const [s, shown] of [
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [1.5, '1.5'],
      [-0.5, '-0.5'],
    ] as const) {
      fails(
        () => softmaxCrossEntropy(zeros([2, 4]), ints(0, 1), { labelSmoothing: s }),
        'ValueError',
        `crossEntropy: labelSmoothing must be in [0, 1], got ${shown}`,
      );
    }
  });
});

describe('axes', () => {
  const x = zeros([2, 3]);
  test('out of range, negative out of range, non-integer', () => {
    fails(() => x.sum(3), 'ValueError', 'sum: axis 3 out of range for rank 2');
    fails(() => x.sum(-3), 'ValueError', 'sum: axis -3 out of range for rank 2');
    fails(() => x.mean([0, 0.5]), 'ValueError', 'mean: axis 0.5 out of range for rank 2');
    fails(() => x.softmax(2), 'ValueError', 'softmax: axis 2 out of range for rank 2');
    fails(() => x.logSoftmax(-3), 'ValueError', 'logSoftmax: axis -3 out of range for rank 2');
    fails(() => x.argmax(2), 'ValueError', 'argmax: axis 2 out of range for rank 2');
    fails(() => x.transpose(0, 5), 'ValueError', 'transpose: axis 5 out of range for rank 2');
    fails(() => x.unsqueeze(4), 'ValueError', 'unsqueeze: axis 4 out of range for rank 3');
    fails(() => x.slice(2, 0, 1), 'ValueError', 'slice: axis 2 out of range for rank 2');
    fails(() => x.indexSelect(2, ints(0)), 'ValueError', 'indexSelect: axis 2 out of range for rank 2');
    fails(() => concat([x, x], 2), 'ValueError', 'concat: axis 2 out of range for rank 2');
  });
  test('argmax and argmin over an empty axis have no answer', () => {
    fails(() => zeros([2, 0]).argmax(1), 'ShapeError', 'argmax: cannot reduce over an empty axis of [2,0]');
    fails(() => zeros([0, 3]).argmin(), 'ShapeError', 'argmin: cannot reduce over an empty axis of [0,3]');
  });
  test('ops that walk a dimension refuse 0-d tensors', () => {
    const s = tensor(3);
    const msg = (op: string): string => `${op}: needs a tensor of at least 1 dimension, got a 0-d tensor`;
    fails(() => s.slice(0, 0, 1), 'ShapeError', msg('slice'));
    fails(() => s.indexSelect(-1, ints(0)), 'ShapeError', msg('indexSelect'));
    fails(() => s.gather(0, tensor(new Int32Array(1), [])), 'ShapeError', msg('gather'));
    fails(() => concat([s, s]), 'ShapeError', msg('concat'));
  });
  test('permutations and flatten ranges', () => {
    fails(
      () => zeros([2, 3, 4]).permute([0, 0, 1]),
      'ShapeError',
      'permute: [0,0,1] is not a permutation of the 3 axes of [2,3,4]',
    );
    fails(
      () => zeros([2, 3, 4]).permute([0, 1]),
      'ShapeError',
      'permute: [0,1] is not a permutation of the 3 axes of [2,3,4]',
    );
    fails(() => zeros([2, 3, 4]).flatten(2, 1), 'ValueError', 'flatten: endAxis 1 comes before startAxis 2');
  });
});

describe('autograd misuse', () => {
  test('backward', () => {
    fails(
      () => ones([3], { requiresGrad: true }).mul(2).backward(),
      'ShapeError',
      'backward: an implicit gradient needs a scalar output, got shape [3]; pass the gradient explicitly',
    );
    fails(
      () => zeros([3]).sum().backward(),
      'PolytaskError',
      'backward: tensor does not require grad (no input of the computation had requiresGrad set)',
    );
    fails(
      () =>
        ones([3], { requiresGrad: true })
          .mul(2)
          .backward(zeros([2])),
      'ShapeError',
      'backward: gradient shape [2] does not match output shape [3]',
    );
  });
  test('backward twice without retainGraph', () => {
    const y = ones([3], { requiresGrad: true }).exp().sum();
    y.backward();
    fails(
      () => y.backward(),
      'PolytaskError',
      "backward: the graph through 'sum' was already freed; pass { retainGraph: true } to the earlier backward/grad call",
    );
  });
  test('grad', () => {
    fails(() => grad([zeros([])], [zeros([3])]), 'PolytaskError', 'grad: output 0 does not require grad');
    const x = ones([2], { requiresGrad: true });
    const c = ones([2]);
    fails(() => grad([x.mul(c).sum()], [c]), 'PolytaskError', 'grad: input 0 (shape [2]) does not require grad');
    fails(
      () => grad([x.sum()], [x, ones([3], { requiresGrad: true })]),
      'PolytaskError',
      'grad: input 1 (shape [3]) is not used by the outputs; pass { allowUnused: true } to get zeros',
    );
    fails(
      () => grad([x.mul(2)], [x]),
      'ShapeError',
      'grad: an implicit gradient needs a scalar output, got shape [2]; pass the gradient explicitly',
    );
  });
});
