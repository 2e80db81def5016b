/**
 * The base of multi-task networks: one input, one output per task. Besides `forward` (outputs by
 * task, which `train.evaluate` and `train.predict` understand), a network says which parameters
 * every task shares and which belong to one task, and, where there is one, which tensor is the
 * shared representation that every head reads: what the weighting methods need
 * (`MtlStepContext`).
 *
 * @example
 * const { outputs, representation } = model.run(x);        // outputs.left [N, 10]
 * model.run(x, ['left']).outputs;                          // only the heads asked for
 * method.backward({ taskLosses, sharedParams: model.sharedParameters(), taskParams: model.taskParameters(), representation });
 */
import { ValueError } from '../core/errors.js';
import { Module, type Parameter } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';

/** What one pass of a multi-task network gives. */
export interface MultiTaskOutput {
  /** Each requested task's output. */
  outputs: Record<string, Tensor>;
  /**
   * The shared representation, when the architecture has one: a tensor through which every path
   * from the shared parameters to the outputs runs. Absent for soft sharing without such a point
   * (cross-stitch), where gradient methods must work in parameter space.
   */
  representation?: Tensor;
}

/**
 * A network with one output per task.
 *
 * @example
 * class Mine extends MultiTaskNetwork { ... run(x, tasks) { ... } taskParameters() { ... } }
 */
export abstract class MultiTaskNetwork extends Module<[Tensor], Record<string, Tensor>> {
  /** Task names in order. */
  abstract readonly taskNames: readonly string[];

  /** Outputs of `tasks` (default: all) for input `x`, with the shared representation if any. */
  abstract run(x: Tensor, tasks?: readonly string[]): MultiTaskOutput;

  /** Each task's own parameters (its head, its gate). */
  abstract taskParameters(): Record<string, Parameter[]>;

  forward(x: Tensor): Record<string, Tensor> {
    return this.run(x).outputs;
  }

  /** Every parameter that is no task's own: what all tasks update together. */
  sharedParameters(): Parameter[] {
    const own = new Set(Object.values(this.taskParameters()).flat());
    return this.parameters().filter((p) => !own.has(p));
  }

  /** The requested task names, checked against the network's. */
  protected requested(tasks: readonly string[] | undefined): readonly string[] {
    if (tasks === undefined) return this.taskNames;
    const unknown = tasks.filter((t) => !this.taskNames.includes(t));
    if (unknown.length > 0)
      throw new ValueError(
        this.constructor.name,
        `unknown task(s) ${unknown.map((t) => `'${t}'`).join(', ')}; tasks are ${this.taskNames.join(', ')}`,
      );
    return tasks;
  }
}
