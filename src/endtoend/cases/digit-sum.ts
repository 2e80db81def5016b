/**
 * Digit sum: an image of two handwritten digits side by side (28×56) → their sum (0..18).
 * Pipeline: split the image in two by rule, classify each half with a classifier trained on
 * single-digit labels, add the two digit distributions. End to end: image → one of 19 sums. Both
 * sides are the same small convolutional network (models.ts' DIGIT_TRUNK and the study's hidden
 * width): the pipeline's on one digit, the end-to-end model's on the whole 28×56 image.
 *
 * @example
 * const c = digitSumCase;
 * c.pipeline(128).run(pairs);          // [B,19] probabilities
 */
import { convNet, digitClassifier, DIGIT_TRUNK, EndToEndModel } from '../models.js';
import { sumStage } from '../digit-arithmetic.js';
import { digitPairs } from '../digit-pairs.js';
import { compositeDataset } from '../composite.js';
import { digitSample, type DigitPools } from '../digit-pools.js';
import { classNll, errorRate } from '../objectives.js';
import { Pipeline } from '../pipeline.js';
import { splitStage } from '../split.js';
import { learnedStage, mapStage } from '../stage.js';
import { builtinDigits } from './builtin-digits.js';
import type { EndToEndCase } from './case.js';

const DIGIT = [1, 28, 28] as const;
const PAIR = [1, 28, 56] as const;
const CLASSIFIER = 'digit classifier';

/**
 * The digit-sum case (see the module comment).
 *
 * @example
 * runE2eStudy({ case: 'digit-sum' }, onProgress);
 */
export const digitSumCase: EndToEndCase<DigitPools> = {
  name: 'digit-sum',
  description: 'an image of two handwritten digits side by side → their sum (0..18)',
  metric: 'error rate',
  input: { kind: 'image', shape: PAIR },
  output: { kind: 'classes', n: 19 },
  defaultSizes: [800, 1600, 3200, 6400, 12800],
  defaultSubtaskExamples: 300,
  ...builtinDigits,
  examples: (pools, part, n, seed) => compositeDataset(digitPairs(pools[part], n, seed)),
  pipeline: (hidden, net) => {
    const classify = learnedStage({
      name: CLASSIFIER,
      input: { kind: 'image', shape: DIGIT },
      output: { kind: 'classes', n: 10 },
      create: () => net?.(DIGIT, 10) ?? digitClassifier(hidden),
    });
    return new Pipeline([splitStage(PAIR, 2), mapStage(classify, 2), sumStage(10)]);
  },
  subtaskData: (pools, n, seed) => ({ [CLASSIFIER]: digitSample(pools.train, n, seed) }),
  endToEnd: (hidden, net) =>
    new EndToEndModel(net?.(PAIR, 19) ?? convNet(PAIR, 19, { channels: DIGIT_TRUNK, hidden }), {
      kind: 'classes',
      n: 19,
    }),
  loss: classNll,
  error: errorRate,
};
