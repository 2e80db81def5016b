// Your own end-to-end vs pipeline case, as a JS module: a handwritten digit → whether it is odd.
// The pipeline classifies the digit (a network trained on digit labels) and looks up its parity
// by a hand-written rule; the end-to-end model learns parity straight from the pixels.
//
//   polytask study e2e --case examples/e2e-case.mjs --seeds 2
//
// The default export (or an export named `case`) is an EndToEndCase (polytask/endtoend); the study
// checks its shape when it loads it and names whatever is missing or wrong.
import {
  EndToEndModel,
  Pipeline,
  TensorDataset,
  digitPools,
  digitSample,
  learnedStage,
  loadMnist,
  mlp,
  ruleStage,
  tensor,
} from 'polytask/endtoend';

const DIGIT = { kind: 'image', shape: [1, 28, 28] };
const DIGITS = { kind: 'classes', n: 10 };
const PARITY = { kind: 'classes', n: 2 };
const CLASSIFIER = 'digit classifier';

/** [10, 2]: row d sends digit d's probability to even (column 0) or odd (column 1). */
const ODD = tensor(Array.from({ length: 10 }, (_, d) => (d % 2 === 0 ? [1, 0] : [0, 1])));

/** The same images, labelled by parity. */
const byParity = (ds) =>
  new TensorDataset(
    ds.features,
    ds.featureShape,
    Int32Array.from(ds.labels, (d) => d % 2),
  );

/** @type {import('polytask/endtoend').EndToEndCase<import('polytask/endtoend').DigitPools>} */
export default {
  name: 'digit-parity',
  description: 'a handwritten digit → whether it is odd',
  metric: 'error rate',
  input: DIGIT,
  output: PARITY,
  defaultSizes: [50, 100, 200, 400, 800],
  defaultSubtaskExamples: 300,
  // the embedded MNIST, split into a training pool and a held-out test pool with the study's seed
  pools: (seed) => digitPools(loadMnist(), { seed }),
  examples: (pools, part, n, seed) => byParity(digitSample(pools[part], Math.min(n, pools[part].n), seed)),
  pipeline: (hidden) =>
    new Pipeline([
      learnedStage({ name: CLASSIFIER, input: DIGIT, output: DIGITS, create: () => mlp(28 * 28, hidden, 10) }),
      ruleStage({ name: 'parity', input: DIGITS, output: PARITY, differentiable: true, run: (p) => p.matmul(ODD) }),
    ]),
  subtaskData: (pools, n, seed) => ({ [CLASSIFIER]: digitSample(pools.train, n, seed) }),
  endToEnd: (hidden) => new EndToEndModel(mlp(28 * 28, hidden, 2), PARITY),
  // loss and error default to the class log-likelihood and the error rate for a `classes` output
};
