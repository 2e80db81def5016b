/**
 * Cross-stitch networks (Misra, Shrivastava, Gupta & Hebert 2016, "Cross-stitch networks for
 * multi-task learning"): each task has its own column of layers, and after every stage a learned
 * T×T cross-stitch unit mixes the columns' activations, x̃_i = Σ_j α_ij·x_j, so the network learns
 * how much to share at each depth instead of fixing it by hand. α starts near the identity
 * (0.9 on the diagonal, 0.1 spread over the others, the paper's initialisation).
 *
 * Every column feeds every task through the units, so all columns and units are shared parameters
 * and only the heads belong to one task; there is no single shared representation, so gradient
 * methods must run in parameter space (`{ space: 'parameters' }`).
 *
 * @example
 * const stage1 = () => new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 32), new nn.ReLU());
 * const stage2 = () => new nn.Sequential(new nn.Linear(32, 32), new nn.ReLU());
 * const net = new CrossStitch({
 *   columns: { left: [stage1(), stage2()], right: [stage1(), stage2()] },
 *   heads: { left: new nn.Linear(32, 10), right: new nn.Linear(32, 10) },
 * });
 * net.forward(x).right.shape; // [N, 10]
 */
import { ShapeError, ValueError } from '../core/errors.js';
import { Module, ModuleDict, ModuleList, Parameter } from '../nn/index.js';
import { stack, tensor, type Tensor } from '../tensor/index.js';
import { MultiTaskNetwork, type MultiTaskOutput } from '../models/network.js';
import { nullRecord, recordFrom } from '../core/safe-keys.js';

export interface CrossStitchOptions {
  /** Each task's column: the same number of stages for every task, stage s of all columns giving the same shape. */
  columns: Readonly<Record<string, readonly Module[]>>;
  /** One head per task (same names as the columns). */
  heads: Readonly<Record<string, Module>>;
  /** Initial weight of a column on itself. Default 0.9. */
  selfWeight?: number;
}

/**
 * A cross-stitch unit: a learned T×T mixing of T same-shaped activations.
 *
 * @example
 * const unit = new CrossStitchUnit(2);
 * unit.forward(stack([a, b], 0)); // [2, ...a.shape]
 */
export class CrossStitchUnit extends Module {
  readonly alpha: Parameter;

  constructor(
    readonly tasks: number,
    selfWeight = 0.9,
  ) {
    super();
    if (!Number.isInteger(tasks) || tasks < 1)
      throw new ValueError('CrossStitchUnit', `tasks must be a positive integer, got ${tasks}`);
    const off = tasks === 1 ? 0 : (1 - selfWeight) / (tasks - 1);
    const init = Array.from({ length: tasks }, (_, i) =>
      Array.from({ length: tasks }, (_, j) => (i === j ? (tasks === 1 ? 1 : selfWeight) : off)),
    );
    this.alpha = new Parameter(tensor(init));
  }

  /** Mixes stacked activations [T, ...] along the first axis. */
  forward(columns: Tensor): Tensor {
    if (columns.shape[0] !== this.tasks)
      throw new ShapeError(
        'CrossStitchUnit',
        `expects [${this.tasks}, ...] stacked activations, got [${columns.shape.join(',')}]`,
      );
    const flat = columns.reshape([this.tasks, -1]);
    return this.alpha.matmul(flat).reshape(columns.shape);
  }
}

/**
 * Task columns joined by cross-stitch units after every stage.
 *
 * @example
 * new CrossStitch({ columns, heads }).units.at(0).alpha.toArray(); // [[0.9, 0.1], [0.1, 0.9]]
 */
export class CrossStitch extends MultiTaskNetwork {
  readonly columns: ModuleDict<ModuleList<Module>>;
  readonly units: ModuleList<CrossStitchUnit>;
  readonly heads: ModuleDict<Module>;
  readonly #names: readonly string[];
  readonly #stages: number;

  constructor(opts: CrossStitchOptions) {
    super();
    const names = Object.keys(opts.columns);
    const headNames = Object.keys(opts.heads);
    if (names.length < 1) throw new ValueError('CrossStitch', 'needs at least one column');
    if (names.length !== headNames.length || names.some((t) => !headNames.includes(t))) {
      throw new ValueError(
        'CrossStitch',
        `columns (${names.join(', ')}) and heads (${headNames.join(', ')}) must name the same tasks`,
      );
    }
    const stages = opts.columns[names[0]!]!.length;
    if (stages < 1) throw new ValueError('CrossStitch', 'columns need at least one stage');
    for (const t of names) {
      if (opts.columns[t]!.length !== stages)
        throw new ValueError(
          'CrossStitch',
          `column '${t}' has ${opts.columns[t]!.length} stages, column '${names[0]}' ${stages}`,
        );
    }
    this.columns = new ModuleDict(names.map((t) => [t, new ModuleList(opts.columns[t]!)] as const));
    this.units = new ModuleList(
      Array.from({ length: stages }, () => new CrossStitchUnit(names.length, opts.selfWeight ?? 0.9)),
    );
    this.heads = new ModuleDict(names.map((t) => [t, opts.heads[t]!] as const));
    this.#names = Object.freeze(names);
    this.#stages = stages;
  }

  get taskNames(): readonly string[] {
    return this.#names;
  }

  run(x: Tensor, tasks?: readonly string[]): MultiTaskOutput {
    const wanted = this.requested(tasks);
    // every column is needed whatever is asked: the units feed each column from all of them
    let acts = this.#names.map(() => x);
    for (let s = 0; s < this.#stages; s++) {
      const outs = this.#names.map((t, i) => this.columns.get(t).at(s).forward(acts[i]!));
      const shape = outs[0]!.shape;
      outs.forEach((o, i) => {
        if (o.shape.length !== shape.length || o.shape.some((d, k) => d !== shape[k])) {
          throw new ShapeError(
            'CrossStitch',
            `stage ${s}: column '${this.#names[i]}' gives [${o.shape.join(',')}], column '${this.#names[0]}' [${shape.join(',')}]`,
          );
        }
      });
      const mixed = this.units.at(s).forward(stack(outs, 0));
      acts = this.#names.map((_, i) => mixed.slice(0, i, i + 1).reshape(shape));
    }
    const outputs = nullRecord<Tensor>();
    for (const t of wanted) outputs[t] = this.heads.get(t).forward(acts[this.#names.indexOf(t)]!);
    return { outputs };
  }

  taskParameters(): Record<string, Parameter[]> {
    return recordFrom(this.#names.map((t) => [t, this.heads.get(t).parameters()]));
  }
}
