/**
 * Activations as modules, for use in Sequential: ReLU, LeakyReLU, GELU (exact, erf-based), SiLU,
 * ReLU6, Hardsigmoid, Hardswish, Sigmoid,
 * Tanh, Softplus, Softmax, LogSoftmax, and Identity (a placeholder, e.g. for a removed head).
 *
 * @example
 * new Sequential(new Linear(4, 8), new GELU(), new Linear(8, 3), new LogSoftmax(1));
 */
import { ValueError } from '../../core/errors.js';
import type { Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';

/** max(x, 0). @example new ReLU().forward(x); */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** x for x > 0, else negativeSlope·x. @example new LeakyReLU(0.2).forward(x); */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.leakyRelu(this.negativeSlope);
  }
}

/** x·Φ(x) with the exact normal CDF (PyTorch's default). @example new GELU().forward(x); */
export class GELU extends Module {
  forward(x: Tensor): Tensor {
    return x.gelu();
  }
}

/** 1/(1+e^−x). @example new Sigmoid().forward(x); */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** tanh(x). @example new Tanh().forward(x); */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/**
 * log(1 + e^(βx))/β, linear above the kernel's threshold as in PyTorch.
 *
 * @example
 * new Softplus(2).forward(x);
 */
export class Softplus extends Module {
  constructor(readonly beta = 1) {
    super();
    if (!(beta > 0)) throw new ValueError('Softplus', `beta must be positive, got ${beta}`);
  }

  forward(x: Tensor): Tensor {
    return this.beta === 1 ? x.softplus() : x.mul(this.beta).softplus().div(this.beta);
  }
}

/** Softmax along `dim` (default the last). @example new Softmax(1).forward(logits); */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
}

/** Log-softmax along `dim` (default the last). @example new LogSoftmax(1).forward(logits); */
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.logSoftmax(this.dim);
  }
}

/** Returns its input. @example model.registerModule('head', new Identity()); */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** x·σ(x) (swish). @example new SiLU().forward(x); */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return x.silu();
  }
}

/** min(max(x, 0), 6). @example new ReLU6().forward(x); */
export class ReLU6 extends Module {
  forward(x: Tensor): Tensor {
    return x.relu6();
  }
}

/** relu6(x + 3)/6. @example new Hardsigmoid().forward(x); */
export class Hardsigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.hardsigmoid();
  }
}

/** x·relu6(x + 3)/6. @example new Hardswish().forward(x); */
export class Hardswish extends Module {
  forward(x: Tensor): Tensor {
    return x.hardswish();
  }
}
