/**
 * The learned parts of the study: the networks of both approaches, and the end-to-end model, which
 * maps an input straight to a value of the task's output type. The built-in image cases compare
 * networks of one family on both sides: the pipeline's digit classifier and the end-to-end model
 * are the same small convolutional network (DIGIT_TRUNK: 3×3 convolutions, each followed by ReLU
 * and 2×2 max pooling, then one hidden layer), the one on a single digit, the other on the whole
 * image. So a difference between the approaches is about the data and the task's structure, not a
 * weaker kind of model on one side. `mlp` remains for inputs that are not images. The study's
 * `model: { arch: resnet18 }` (`--arch`) puts a zoo network in place of the case's own on both
 * sides alike (`withNetwork`): the end-to-end model and every learned stage that reads images.
 *
 * @example
 * const classify = digitClassifier(128);                            // [B,1,28,28] → logits [B,10]
 * const e2e = new EndToEndModel(convNet([1, 28, 56], 19, { channels: DIGIT_TRUNK, hidden: 128 }), { kind: 'classes', n: 19 });
 * e2e.forward(pairs);                                                // [B,19] probabilities
 * const c = withNetwork(digitSumCase, { arch: 'resnet18' });         // both sides on ResNet-18
 */
import { ValueError } from '../core/errors.js';
import { Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential } from '../nn/index.js';
import { loadReferenceWeights } from '../models/zoo/reference-weights.js';
import { zooNet, zooSpecOf, type ZooArch, type ZooSpec } from '../models/zoo/zoo-net.js';
import type { NetBuilder, StudyCase } from './cases/case.js';
import type { Tensor } from '../tensor/index.js';
import { describeType, type ValueType } from './value-type.js';

/** Output channels of the convolutions of the built-in cases' networks, both approaches alike. */
export const DIGIT_TRUNK: readonly number[] = [8, 16];

/**
 * Flatten → Linear(inputs, hidden) → ReLU → Linear(hidden, outputs).
 *
 * @example
 * mlp(784, 64, 10).forward(randn([8, 1, 28, 28])).shape; // [8, 10]
 */
export function mlp(inputs: number, hidden: number, outputs: number): Sequential {
  return new Sequential(new Flatten(), new Linear(inputs, hidden), new ReLU(), new Linear(hidden, outputs));
}

/**
 * A small convolutional network over images of `shape` [channels, height, width]: for each entry
 * of `channels` a 3×3 convolution (padding 1), ReLU and 2×2 max pooling; then Linear to `hidden`,
 * ReLU, Linear to `outputs` (raw outputs). `where` names the caller in errors.
 *
 * @example
 * convNet([1, 28, 56], 19, { channels: [8, 16], hidden: 128 }).forward(x).shape; // [B, 19]
 */
export function convNet(
  shape: readonly number[],
  outputs: number,
  spec: { channels: readonly number[]; hidden: number },
  where = 'convNet',
): Sequential {
  if (shape.length !== 3)
    throw new ValueError(
      where,
      `cnn needs image inputs [channels, height, width], got [${shape.join(',')}]; use arch: mlp`,
    );
  let [c = 1, h = 1, w = 1] = shape;
  const layers: Module[] = [];
  for (const out of spec.channels) {
    if (h < 2 || w < 2)
      throw new ValueError(
        where,
        `cnn: ${spec.channels.length} pooling layers shrink [${shape.join(',')}] below 2×2; give fewer channels`,
      );
    layers.push(new Conv2d(c, out, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2));
    [c, h, w] = [out, Math.floor(h / 2), Math.floor(w / 2)];
  }
  return new Sequential(
    ...layers,
    new Flatten(),
    new Linear(c * h * w, spec.hidden),
    new ReLU(),
    new Linear(spec.hidden, outputs),
  );
}

/**
 * The pipelines' digit classifier: a 28×28 digit → logits over the ten digits, on DIGIT_TRUNK.
 *
 * @example
 * const net = digitClassifier(128);
 */
export function digitClassifier(hidden: number): Sequential {
  return convNet([1, 28, 28], 10, { channels: DIGIT_TRUNK, hidden });
}

/**
 * An image → output model trained on (x, y) pairs only. Its network gives raw outputs; the model
 * turns them into the declared type: softmax probabilities for `classes`, and for a `scalar` the
 * single output times `scale` (so the network works on numbers near 1 whatever the task's range).
 *
 * @example
 * const reader = new EndToEndModel(convNet([1, 28, 84], 1, { channels: DIGIT_TRUNK, hidden: 128 }), { kind: 'scalar' }, 999);
 * reader.forward(numbers); // [B] values
 */
export class EndToEndModel extends Module {
  readonly net: Module;
  readonly #output: ValueType;
  readonly #scale: number;

  constructor(net: Module, output: ValueType, scale = 1) {
    super();
    if (output.kind !== 'classes' && output.kind !== 'scalar') {
      throw new ValueError('EndToEndModel', `outputs classes or a scalar, got ${describeType(output)}`);
    }
    this.net = net;
    this.#output = output;
    this.#scale = scale;
  }

  forward(x: Tensor): Tensor {
    const raw = this.net.forward(x);
    if (this.#output.kind === 'classes') return raw.softmax(-1);
    return raw.reshape([raw.shape[0] ?? 0]).mul(this.#scale);
  }
}

/** The study's `model`: a zoo architecture, its options and a weights file to start from. */
export type NetworkConfig = { arch: ZooArch; weights?: string | undefined } & {
  [K in Exclude<keyof ZooSpec, 'arch'>]?: ZooSpec[K] | undefined;
};

/**
 * The builder of `model`'s zoo network: for images of a shape, the zoo model with its classifier
 * giving the outputs (its reference names: `conv1.weight`, ...), every weight but the last
 * layer's (sized to the outputs) from `model.weights` when given. A shape the architecture cannot
 * take is a one-line error.
 *
 * @example
 * zooNetwork({ arch: 'mobilenet_v2', widthMult: 0.25 })([1, 28, 56], 19); // MobileNetV2 → 19 outputs
 */
export function zooNetwork(model: NetworkConfig): NetBuilder {
  const spec = zooSpecOf(model);
  return (shape, outputs) => {
    const { net, head } = zooNet(spec, shape, outputs, 'model');
    if (model.weights !== undefined) loadReferenceWeights(net, model.weights, { prefix: '', skip: [`${head}.`] });
    return net;
  };
}

/**
 * The case with `model`'s zoo network in place of its own: its end-to-end model and each learned
 * stage that reads images. Both are built once here, so an architecture that does not fit the
 * case's images, or a case whose end-to-end model does not take a network (a user's case that
 * ignores `net`, spoken-digits' raw-audio model), fails before anything trains.
 *
 * @example
 * const c = withNetwork(await loadStudyCase('digit-sum', 0), { arch: 'vit', patchSize: 4 });
 */
export function withNetwork(c: StudyCase, model: NetworkConfig): StudyCase {
  const net = zooNetwork(model);
  let used = false;
  const probe: NetBuilder = (shape, outputs) => {
    used = true;
    return net(shape, outputs);
  };
  c.endToEnd(8, probe);
  if (!used)
    throw new ValueError(
      'model.arch',
      `case '${c.name}' does not build its end-to-end model from a given network (its input is ${describeType(c.input)}); ${model.arch} cannot replace it`,
    );
  c.pipeline(8, net);
  return { ...c, pipeline: (hidden) => c.pipeline(hidden, net), endToEnd: (hidden) => c.endToEnd(hidden, net) };
}
