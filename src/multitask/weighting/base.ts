/**
 * What every weighting method shares: the task list, the checks on a step's context, and reading
 * and writing state dicts. Methods extend `LossWeighting` or `GradientWeighting`, which extend this.
 *
 * @example
 * class Mine extends WeightingBase { ... }   // see loss-weighting.ts for the usual pattern
 */
import { ShapeError, ValueError } from '../../core/errors.js';
import { tensor, type Tensor } from '../../tensor/index.js';
import type { Parameter } from '../../nn/index.js';
import type {
  MtlStepContext,
  WeightingKey,
  WeightingMethod,
  WeightingNeeds,
  WeightingState,
  WeightingStep,
} from './types.js';
import { recordFrom } from '../../core/safe-keys.js';

export abstract class WeightingBase implements WeightingMethod {
  abstract readonly key: WeightingKey;
  abstract readonly needs: WeightingNeeds;
  readonly tasks: readonly string[];

  constructor(tasks: readonly string[]) {
    const where = new.target.name;
    if (tasks.length === 0) throw new ValueError(where, 'needs at least one task');
    const seen = new Set<string>();
    for (const t of tasks) {
      if (typeof t !== 'string' || t === '')
        throw new ValueError(where, `task names must be non-empty strings, got ${JSON.stringify(t)}`);
      if (seen.has(t)) throw new ValueError(where, `task '${t}' is listed twice`);
      seen.add(t);
    }
    this.tasks = Object.freeze([...tasks]);
  }

  abstract backward(ctx: MtlStepContext): WeightingStep;

  parameters(): Parameter[] {
    return [];
  }

  stateDict(): WeightingState {
    return {};
  }

  loadStateDict(state: Readonly<WeightingState>): void {
    this.checkStateKeys(state, []);
  }

  /**
   * Checks a step's context and returns the losses in task order: every task has a loss and no other
   * name does, each a float32 scalar that is not NaN; taskParams names no unknown task.
   */
  protected checkContext(ctx: MtlStepContext): Tensor[] {
    this.checkTaskKeys('taskLosses', ctx.taskLosses);
    const extra = Object.keys(ctx.taskParams).filter((k) => !this.tasks.includes(k));
    if (extra.length > 0)
      throw new ValueError(
        `${this.key}.backward`,
        `taskParams names unknown task(s) ${extra.map((t) => `'${t}'`).join(', ')}; tasks are ${this.tasks.join(', ')}`,
      );
    return this.tasks.map((t) => {
      const l = ctx.taskLosses[t]!;
      if (l.size !== 1)
        throw new ShapeError(
          `${this.key}.backward`,
          `loss of task '${t}' must be a scalar, got shape [${l.shape.join(',')}]`,
        );
      if (l.dtype !== 'float32')
        throw new ValueError(`${this.key}.backward`, `loss of task '${t}' must be float32, got ${l.dtype}`);
      if (Number.isNaN(l.item())) throw new ValueError(`${this.key}.backward`, `loss of task '${t}' is NaN`);
      return l;
    });
  }

  /** Throws unless `record` has exactly this method's tasks as keys. */
  protected checkTaskKeys(what: string, record: Readonly<Record<string, unknown>>): void {
    const missing = this.tasks.filter((t) => !Object.hasOwn(record, t));
    const extra = Object.keys(record).filter((k) => !this.tasks.includes(k));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [
        missing.length > 0 ? `missing ${missing.map((t) => `'${t}'`).join(', ')}` : '',
        extra.length > 0 ? `unknown ${extra.map((t) => `'${t}'`).join(', ')}` : '',
      ];
      throw new ValueError(
        `${this.key}`,
        `${what} must have one entry per task (${this.tasks.join(', ')}): ${parts.filter((p) => p !== '').join('; ')}`,
      );
    }
  }

  /** Per-task numbers (in task order) from a record keyed by task, checked finite. */
  protected taskValues(what: string, record: Readonly<Record<string, number>>): Float64Array {
    this.checkTaskKeys(what, record);
    return Float64Array.from(this.tasks, (t) => {
      const v = record[t]!;
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new ValueError(this.key, `${what}['${t}'] must be a finite number, got ${v}`);
      return v;
    });
  }

  /** Numbers in task order → a record keyed by task. */
  protected named(values: ArrayLike<number>): Record<string, number> {
    return recordFrom(this.tasks.map((t, i) => [t, values[i]!]));
  }

  /** Throws unless the state dict has exactly `keys`. */
  protected checkStateKeys(state: Readonly<WeightingState>, keys: readonly string[]): void {
    const missing = keys.filter((k) => !Object.hasOwn(state, k));
    const extra = Object.keys(state).filter((k) => !keys.includes(k));
    if (missing.length > 0 || extra.length > 0) {
      throw new ValueError(
        `${this.key}.loadStateDict`,
        `expected keys [${keys.join(', ')}], missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]`,
      );
    }
  }

  /** The values of state entry `key`, checked to hold `size` numbers. */
  protected stateValues(state: Readonly<WeightingState>, key: string, size: number): Float64Array {
    const t = state[key]!;
    if (t.size !== size)
      throw new ShapeError(
        `${this.key}.loadStateDict`,
        `'${key}' must hold ${size} values, got shape [${t.shape.join(',')}]`,
      );
    return Float64Array.from(t.data);
  }
}

/** A float32 tensor of `values` (a copy), for state dicts. */
export function stateTensor(values: ArrayLike<number>, shape?: readonly number[]): Tensor {
  return tensor(Float32Array.from(values), shape ?? [values.length]);
}
