/**
 * Hard parameter sharing (Caruana 1997): one trunk computes a representation that every task's head
 * reads. The trunk is any module; heads are registered by task name, so state-dict keys read
 * `trunk.0.weight` and `heads.left.weight`.
 *
 * @example
 * const model = new MultiTaskModel(
 *   new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 64), new nn.ReLU()),
 *   { left: new nn.Linear(64, 10), right: new nn.Linear(64, 10) },
 * );
 * const { outputs, representation } = model.run(x);   // representation [N, 64]
 */
import { ValueError } from '../core/errors.js';
import { ModuleDict, type Module, type Parameter } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import { MultiTaskNetwork, type MultiTaskOutput } from './network.js';
import { nullRecord, recordFrom } from '../core/safe-keys.js';

/**
 * A shared trunk and one head per task.
 *
 * @example
 * new MultiTaskModel(trunk, { digit: new nn.Linear(64, 10) }).forward(x).digit;
 */
export class MultiTaskModel extends MultiTaskNetwork {
  readonly trunk: Module;
  readonly heads: ModuleDict<Module>;

  constructor(trunk: Module, heads: Readonly<Record<string, Module>>) {
    super();
    if (Object.keys(heads).length === 0) throw new ValueError('MultiTaskModel', 'needs at least one head');
    this.trunk = trunk;
    this.heads = new ModuleDict(heads);
  }

  get taskNames(): readonly string[] {
    return this.heads.keys();
  }

  run(x: Tensor, tasks?: readonly string[]): MultiTaskOutput {
    const names = this.requested(tasks);
    const representation = this.trunk.forward(x);
    const outputs = nullRecord<Tensor>();
    for (const t of names) outputs[t] = this.heads.get(t).forward(representation);
    return { outputs, representation };
  }

  taskParameters(): Record<string, Parameter[]> {
    return recordFrom(this.heads.entries().map(([t, h]) => [t, h.parameters()]));
  }
}
