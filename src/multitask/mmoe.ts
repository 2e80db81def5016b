/**
 * MMoE, the multi-gate mixture of experts (Ma, Zhao, Yi, Chen, Hong & Chi 2018, "Modeling task
 * relationships in multi-task learning with multi-gate mixture-of-experts"). Several experts read
 * the input; each task has a gate, a softmax over the experts computed from the input, and its head
 * reads the gate's mixture of the expert outputs:
 *   h_t(x) = Σ_k softmax(W_t·x)_k · e_k(x),   y_t = head_t(h_t(x)).
 * Tasks share the experts but choose how much of each to use, so related tasks can share more and
 * conflicting ones less than under hard sharing.
 *
 * The experts' stacked outputs [N, K, D] are the shared representation: every path from the expert
 * parameters to a loss runs through them, so representation-space gradient methods work unchanged.
 *
 * @example
 * const expert = () => new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 32), new nn.ReLU());
 * const mmoe = new MMoE({
 *   experts: [expert(), expert(), expert()], inputFeatures: 784,
 *   heads: { left: new nn.Linear(32, 10), right: new nn.Linear(32, 10) },
 * });
 * mmoe.forward(x).left.shape;      // [N, 10]
 * mmoe.gateWeights(x).left.shape;  // [N, 3]
 */
import { ShapeError, ValueError } from '../core/errors.js';
import { Linear, ModuleDict, ModuleList, type Module, type Parameter } from '../nn/index.js';
import { stack, type Tensor } from '../tensor/index.js';
import { MultiTaskNetwork, type MultiTaskOutput } from '../models/network.js';
import { nullRecord, recordFrom } from '../core/safe-keys.js';

export interface MMoEOptions {
  /** The experts: each maps the input to [N, D], the same D for all. */
  experts: readonly Module[];
  /** Number of input features the gates read (the input is flattened to [N, inputFeatures]). */
  inputFeatures: number;
  /** One head per task, reading [N, D]. */
  heads: Readonly<Record<string, Module>>;
}

/**
 * Multi-gate mixture of experts.
 *
 * @example
 * new MMoE({ experts, inputFeatures: 784, heads }).run(x).representation; // [N, experts, D]
 */
export class MMoE extends MultiTaskNetwork {
  readonly experts: ModuleList<Module>;
  readonly gates: ModuleDict<Linear>;
  readonly heads: ModuleDict<Module>;
  readonly inputFeatures: number;

  constructor(opts: MMoEOptions) {
    super();
    const names = Object.keys(opts.heads);
    if (opts.experts.length < 1) throw new ValueError('MMoE', 'needs at least one expert');
    if (names.length < 1) throw new ValueError('MMoE', 'needs at least one head');
    if (!Number.isInteger(opts.inputFeatures) || opts.inputFeatures < 1)
      throw new ValueError('MMoE', `inputFeatures must be a positive integer, got ${opts.inputFeatures}`);
    this.experts = new ModuleList(opts.experts);
    this.gates = new ModuleDict(names.map((t) => [t, new Linear(opts.inputFeatures, opts.experts.length)] as const));
    this.heads = new ModuleDict(opts.heads);
    this.inputFeatures = opts.inputFeatures;
  }

  get taskNames(): readonly string[] {
    return this.heads.keys();
  }

  /** The expert outputs stacked: [N, experts, D]. */
  expertOutputs(x: Tensor): Tensor {
    const outs = [...this.experts].map((e, k) => {
      const y = e.forward(x);
      if (y.ndim !== 2) throw new ShapeError('MMoE', `expert ${k} must output [N, D], got [${y.shape.join(',')}]`);
      return y;
    });
    return stack(outs, 1);
  }

  /**
   * Each task's gate: softmax weights over the experts, [N, experts].
   *
   * @example
   * mmoe.gateWeights(x).left.sum(1); // ones
   */
  gateWeights(x: Tensor, tasks?: readonly string[]): Record<string, Tensor> {
    const flat = x.reshape([x.shape[0]!, -1]);
    if (flat.shape[1] !== this.inputFeatures)
      throw new ShapeError('MMoE', `gates read ${this.inputFeatures} input features, got [${x.shape.join(',')}]`);
    return recordFrom(this.requested(tasks).map((t) => [t, this.gates.get(t).forward(flat).softmax(1)]));
  }

  run(x: Tensor, tasks?: readonly string[]): MultiTaskOutput {
    const gates = this.gateWeights(x, tasks);
    const representation = this.expertOutputs(x);
    const [n, , d] = representation.shape as [number, number, number];
    const outputs = nullRecord<Tensor>();
    for (const [t, g] of Object.entries(gates)) {
      // [N, 1, K] @ [N, K, D] → [N, 1, D]: each sample's gate mixes its own expert outputs
      const mixed = g.unsqueeze(1).matmul(representation).reshape([n, d]);
      outputs[t] = this.heads.get(t).forward(mixed);
    }
    return { outputs, representation };
  }

  taskParameters(): Record<string, Parameter[]> {
    return recordFrom(
      this.taskNames.map((t) => [t, [...this.gates.get(t).parameters(), ...this.heads.get(t).parameters()]]),
    );
  }
}
