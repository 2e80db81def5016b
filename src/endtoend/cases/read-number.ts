/**
 * Reading a number: an image of three handwritten digits, irregularly spaced (28×84) → the value
 * it writes (0..999), as regression; the counterpart of reading a child's age from a hand X-ray
 * through the bones. Pipeline: locate the digits by the column ink profile, classify each with a
 * classifier trained on single digits (centred the way the locate rule centres them), compose
 * the value. End to end: image → value. Both sides are the same small convolutional network
 * (models.ts' DIGIT_TRUNK), on one digit and on the whole 28×84 image.
 *
 * @example
 * readNumberCase.pipeline(64).run(numbers);  // [B] values
 */
import { convNet, digitClassifier, DIGIT_TRUNK, EndToEndModel } from '../models.js';
import { numberStage } from '../digit-arithmetic.js';
import { compositeDataset } from '../composite.js';
import { digitSample, type DigitPools } from '../digit-pools.js';
import { centerDigit, locateStage } from '../locate.js';
import { meanAbsoluteError, scaledMse } from '../objectives.js';
import { Pipeline } from '../pipeline.js';
import { learnedStage, mapStage } from '../stage.js';
import { writtenNumbers } from '../written-numbers.js';
import { builtinDigits } from './builtin-digits.js';
import type { EndToEndCase } from './case.js';

const DIGIT = [1, 28, 28] as const;
const NUMBER = [1, 28, 84] as const;
const CLASSIFIER = 'digit classifier';
/** Targets span 0..999: losses and outputs are scaled by this so the networks work near 1. */
const SCALE = 1000;

/**
 * The number-reading case (see the module comment).
 *
 * @example
 * runE2eStudy({ case: 'read-number' }, onProgress);
 */
export const readNumberCase: EndToEndCase<DigitPools> = {
  name: 'read-number',
  description: 'an image of three handwritten digits → the number they write (0..999), by regression',
  metric: 'mean absolute error',
  input: { kind: 'image', shape: NUMBER },
  output: { kind: 'scalar' },
  defaultSizes: [400, 800, 1600, 3200, 6400, 12800],
  defaultSubtaskExamples: 300,
  ...builtinDigits,
  examples: (pools, part, n, seed) =>
    compositeDataset(writtenNumbers(pools[part], n, seed, { count: 3, width: NUMBER[2] })),
  pipeline: (hidden, net) => {
    const classify = learnedStage({
      name: CLASSIFIER,
      input: { kind: 'image', shape: DIGIT },
      output: { kind: 'classes', n: 10 },
      create: () => net?.(DIGIT, 10) ?? digitClassifier(hidden),
    });
    return new Pipeline([locateStage(NUMBER, 3, 28), mapStage(classify, 3), numberStage(3)]);
  },
  subtaskData: (pools, n, seed) => ({
    [CLASSIFIER]: digitSample(pools.train, n, seed, (px) => centerDigit(px, 28, 28)),
  }),
  endToEnd: (hidden, net) =>
    new EndToEndModel(
      net?.(NUMBER, 1) ?? convNet(NUMBER, 1, { channels: DIGIT_TRUNK, hidden }),
      { kind: 'scalar' },
      SCALE,
    ),
  loss: (pred, target) => scaledMse(pred, target, SCALE),
  error: meanAbsoluteError,
};
