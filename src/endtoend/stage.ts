/**
 * Pipeline stages: a hand-written rule (segmentation, arithmetic, a lookup), a learned model
 * trained on its own sub-task data, or a stage applied to every item of a sequence. Each declares
 * the type of value it takes and gives, so a pipeline can be checked when it is built.
 *
 * @example
 * const classify = learnedStage({
 *   name: 'digit classifier', input: { kind: 'image', shape: [1, 28, 28] }, output: { kind: 'classes', n: 10 },
 *   create: () => new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10)),
 * });
 * const eachDigit = mapStage(classify, 2);   // sequence of 2 images → sequence of 2 distributions
 */
import { ValueError } from '../core/errors.js';
import type { AnyModule } from '../nn/index.js';
import { Tensor } from '../tensor/index.js';
import { sampleShape, type ValueType } from './value-type.js';

/** One step of a pipeline: a function from a batch of `input` values to a batch of `output` values. */
export interface Stage {
  readonly name: string;
  readonly kind: 'rule' | 'learned';
  readonly input: ValueType;
  readonly output: ValueType;
  /** Whether gradients flow from the output back to the input and the stage's weights. */
  readonly differentiable: boolean;
  /** Maps a batch [B, ...input] to a batch [B, ...output]. */
  run(x: Tensor): Tensor;
  /** The learned stages inside this one: itself, the stage a map applies, or none for a rule. */
  learned(): LearnedStage[];
  /** A stage that computes the same function with its own copy of every learned weight. */
  copy(): Stage;
}

export interface RuleStageSpec {
  name: string;
  input: ValueType;
  output: ValueType;
  /** Whether `run` is built from differentiable tensor ops. Default false. */
  differentiable?: boolean;
  run: (x: Tensor) => Tensor;
}

/**
 * A hand-written stage. Rules hold no state, so copies share them.
 *
 * @example
 * const double = ruleStage({ name: 'double', input: { kind: 'scalar' }, output: { kind: 'scalar' },
 *   differentiable: true, run: (x) => x.mul(2) });
 */
export function ruleStage(spec: RuleStageSpec): Stage {
  const stage: Stage = {
    name: spec.name,
    kind: 'rule',
    input: spec.input,
    output: spec.output,
    differentiable: spec.differentiable ?? false,
    run: spec.run,
    learned: () => [],
    copy: () => stage,
  };
  return stage;
}

export interface LearnedStageSpec {
  name: string;
  input: ValueType;
  output: ValueType;
  /** Builds a fresh, untrained module: called once now and once per copy. */
  create: () => AnyModule;
}

/**
 * A stage computed by a module trained on the stage's own sub-task data. The module gives raw
 * outputs (logits for a `classes` output); the stage turns them into the declared type
 * (probabilities by softmax, a scalar per sample).
 *
 * @example
 * const stage = learnedStage({ name: 'age', input: { kind: 'image', shape: [1, 28, 28] }, output: { kind: 'scalar' },
 *   create: () => new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 1)) });
 * stage.run(images); // [B]
 */
export class LearnedStage implements Stage {
  readonly kind = 'learned' as const;
  readonly differentiable = true;
  readonly name: string;
  readonly input: ValueType;
  readonly output: ValueType;
  readonly module: AnyModule;
  readonly #create: () => AnyModule;

  constructor(spec: LearnedStageSpec) {
    this.name = spec.name;
    this.input = spec.input;
    this.output = spec.output;
    this.#create = spec.create;
    this.module = spec.create();
  }

  /** The module's raw output for a batch: what the stage's own training loss is computed on. */
  raw(x: Tensor): Tensor {
    const out = this.module.forward(x);
    if (!(out instanceof Tensor)) throw new ValueError(`stage '${this.name}'`, 'the module must return a Tensor');
    return out;
  }

  run(x: Tensor): Tensor {
    const out = this.raw(x);
    if (this.output.kind === 'classes') return out.softmax(-1);
    return out.reshape([out.shape[0] ?? 0, ...sampleShape(this.output)]);
  }

  learned(): LearnedStage[] {
    return [this];
  }

  /** A new stage whose module is a fresh one holding a copy of this module's weights and buffers. */
  copy(): LearnedStage {
    const twin = new LearnedStage({ name: this.name, input: this.input, output: this.output, create: this.#create });
    twin.module.loadStateDict(this.module.stateDict(), { strict: true });
    twin.module.train(this.module.training);
    return twin;
  }
}

/**
 * A learned stage (see LearnedStage).
 *
 * @example
 * const classify = learnedStage({ name: 'digit', input: { kind: 'image', shape: [1, 28, 28] },
 *   output: { kind: 'classes', n: 10 }, create: () => digitClassifier(64) });
 */
export function learnedStage(spec: LearnedStageSpec): LearnedStage {
  return new LearnedStage(spec);
}

/**
 * Applies `stage` to each of the `length` items of a sequence, as one batch of B × length items
 * (so a classifier sees both halves of a digit pair in one forward pass, with shared weights).
 *
 * @example
 * const each = mapStage(classify, 3);
 * each.input;  // { kind: 'sequence', length: 3, item: { kind: 'image', shape: [1, 28, 28] } }
 */
export function mapStage(stage: Stage, length: number, name = `each: ${stage.name}`): Stage {
  if (!Number.isInteger(length) || length < 1)
    throw new ValueError('mapStage', `length must be a positive integer, got ${length}`);
  const inner = sampleShape(stage.input);
  const outer = sampleShape(stage.output);
  return {
    name,
    kind: stage.kind,
    differentiable: stage.differentiable,
    input: { kind: 'sequence', length, item: stage.input },
    output: { kind: 'sequence', length, item: stage.output },
    run: (x) => {
      const b = x.shape[0] ?? 0;
      return stage.run(x.reshape([b * length, ...inner])).reshape([b, length, ...outer]);
    },
    learned: () => stage.learned(),
    copy: () => mapStage(stage.copy(), length, name),
  };
}
