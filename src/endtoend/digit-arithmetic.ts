/**
 * Arithmetic on digit distributions, written with tensor ops so that it is differentiable: the
 * distribution of the sum of two independent digits (their product distribution summed along
 * each anti-diagonal, i.e. the convolution of the two), and the expected value of a number whose
 * digits are uncertain. With these, a pipeline of learned classifiers and arithmetic can be
 * fine-tuned end to end from the final answer alone.
 *
 * @example
 * const pSum = sumDistribution(pDigits);   // [B,2,10] → [B,19]
 * const value = expectedNumber(pDigits3);   // [B,3,10] → [B], 100·E[d0] + 10·E[d1] + E[d2]
 */
import { ShapeError } from '../core/errors.js';
import { tensor, type Tensor } from '../tensor/index.js';
import { ruleStage, type Stage } from './stage.js';

/** [n·n, 2n−1] with a one where the pair (i, j) sums to k: the anti-diagonal summation. */
function antiDiagonals(n: number): Tensor {
  const m = new Float32Array(n * n * (2 * n - 1));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[(i * n + j) * (2 * n - 1) + i + j] = 1;
  return tensor(m, [n * n, 2 * n - 1]);
}

/**
 * The distribution of the sum of two independent class values: p [B, 2, n] → [B, 2n−1].
 *
 * @example
 * sumDistribution(tensor([[[0, 1], [0.5, 0.5]]])).toArray(); // [[0, 0.5, 0.5]]
 */
export function sumDistribution(p: Tensor): Tensor {
  const [b, two, n] = p.shape;
  if (p.ndim !== 3 || two !== 2)
    throw new ShapeError('sumDistribution', `expected [B,2,n] distributions, got [${p.shape.join(',')}]`);
  const left = p.slice(1, 0, 1).reshape([b!, n!, 1]);
  const right = p.slice(1, 1, 2).reshape([b!, 1, n!]);
  return left
    .mul(right)
    .reshape([b!, n! * n!])
    .matmul(antiDiagonals(n!));
}

/**
 * The expected value of a number written with k uncertain decimal digits: p [B, k, 10] → [B].
 *
 * @example
 * const p = zeros([1, 3, 10]); p.data[4] = p.data[10] = p.data[22] = 1; // digits 4, 0, 2
 * expectedNumber(p).toArray(); // [402]
 */
export function expectedNumber(p: Tensor): Tensor {
  const [b, k, ten] = p.shape;
  if (p.ndim !== 3 || ten !== 10)
    throw new ShapeError('expectedNumber', `expected [B,k,10] digit distributions, got [${p.shape.join(',')}]`);
  const digits = tensor(
    Float32Array.from({ length: 10 }, (_, d) => d),
    [10, 1],
  );
  const places = tensor(
    Float32Array.from({ length: k! }, (_, i) => 10 ** (k! - 1 - i)),
    [k!, 1],
  );
  return p.matmul(digits).reshape([b!, k!]).matmul(places).reshape([b!]);
}

/**
 * The rule stage adding two digits: sequence of 2 × classes (n) → classes (2n−1).
 *
 * @example
 * new Pipeline([splitStage([1, 28, 56], 2), mapStage(classify, 2), sumStage(10)]);
 */
export function sumStage(n = 10): Stage {
  return ruleStage({
    name: 'add the digits',
    input: { kind: 'sequence', length: 2, item: { kind: 'classes', n } },
    output: { kind: 'classes', n: 2 * n - 1 },
    differentiable: true,
    run: sumDistribution,
  });
}

/**
 * The rule stage composing k digits into the number they write: sequence of k × classes (10) → scalar.
 *
 * @example
 * new Pipeline([locateStage([1, 28, 84], 3, 28), mapStage(classify, 3), numberStage(3)]);
 */
export function numberStage(k: number): Stage {
  return ruleStage({
    name: `compose ${k} digits`,
    input: { kind: 'sequence', length: k, item: { kind: 'classes', n: 10 } },
    output: { kind: 'scalar' },
    differentiable: true,
    run: expectedNumber,
  });
}
