/**
 * The learned parts of the study: a small multi-layer perceptron (the digit classifier of the
 * pipelines, the trunk of the end-to-end models) and the end-to-end model, which maps an image
 * straight to a value of the task's output type. Perceptrons rather than convolutions keep a
 * default study within minutes on two cores; both approaches get the same kind of network, so
 * the comparison is about the data, not the architecture.
 *
 * @example
 * const classify = digitClassifier(784, 64);                 // [B,1,28,28] → logits [B,10]
 * const e2e = new EndToEndModel(mlp(1568, 128, 19), { kind: 'classes', n: 19 });
 * e2e.forward(pairs);                                         // [B,19] probabilities
 */
import { ValueError } from '../core/errors.js';
import { Flatten, Linear, Module, ReLU, Sequential } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import { describeType, type ValueType } from './value-type.js';

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
 * The pipelines' digit classifier: pixels → logits over the ten digits.
 *
 * @example
 * const net = digitClassifier(28 * 28, 64);
 */
export function digitClassifier(pixels: number, hidden: number): Sequential {
  return mlp(pixels, hidden, 10);
}

/**
 * An image → output model trained on (x, y) pairs only. Its network gives raw outputs; the model
 * turns them into the declared type: softmax probabilities for `classes`, and for a `scalar` the
 * single output times `scale` (so the network works on numbers near 1 whatever the task's range).
 *
 * @example
 * const reader = new EndToEndModel(mlp(28 * 84, 128, 1), { kind: 'scalar' }, 999);
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
