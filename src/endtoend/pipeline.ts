/**
 * A pipeline: stages chained so that each one's output type is the next one's input type,
 * checked when the pipeline is built, and each batch checked against the declared types as it
 * flows, so a stage that breaks its promise is named at once.
 *
 * @example
 * const p = new Pipeline([splitHalves, mapStage(classify, 2), sumOfDigits]);
 * p.input;             // image [1,28,56]
 * p.run(images);       // [B, 19] probabilities of each sum
 * p.learned();         // [the digit classifier]
 */
import { PolytaskError, ValueError } from '../core/errors.js';
import type { Tensor } from '../tensor/index.js';
import type { LearnedStage, Stage } from './stage.js';
import { describeType, sameType, sampleShape, type ValueType } from './value-type.js';

/**
 * Two neighbouring stages whose types do not fit, or a stage whose output broke its declared type.
 *
 * @example
 * try { new Pipeline([a, b]); } catch (e) { if (e instanceof StageTypeError) console.log(e.message); }
 */
export class StageTypeError extends PolytaskError {
  override name = 'StageTypeError';
}

const shapeText = (s: readonly (number | string)[]): string => `[${s.join(',')}]`;

/**
 * Stages run one after the other.
 *
 * @example
 * const pipeline = new Pipeline([locate, mapStage(classify, 3), composeNumber]);
 */
export class Pipeline {
  readonly stages: readonly Stage[];

  constructor(stages: readonly Stage[]) {
    if (stages.length === 0) throw new ValueError('Pipeline', 'needs at least one stage');
    for (let i = 1; i < stages.length; i++) {
      const from = stages[i - 1]!;
      const to = stages[i]!;
      if (!sameType(from.output, to.input)) {
        throw new StageTypeError(
          `Pipeline: stage '${from.name}' outputs ${describeType(from.output)} but the next stage '${to.name}' takes ${describeType(to.input)}`,
        );
      }
    }
    this.stages = Object.freeze([...stages]);
  }

  get input(): ValueType {
    return this.stages[0]!.input;
  }

  get output(): ValueType {
    return this.stages[this.stages.length - 1]!.output;
  }

  /**
   * Runs every stage on a batch [B, ...input] and returns the batch [B, ...output].
   *
   * @example
   * const probs = pipeline.run(x); // [B, 19]
   */
  run(x: Tensor): Tensor {
    let value = x;
    let from = 'the pipeline input';
    for (const stage of this.stages) {
      checkBatch(value, stage.input, `stage '${stage.name}' takes ${describeType(stage.input)}, but ${from} has shape`);
      value = stage.run(value);
      from = `the output of stage '${stage.name}'`;
      checkBatch(
        value,
        stage.output,
        `stage '${stage.name}' declares ${describeType(stage.output)} but returned shape`,
      );
    }
    return value;
  }

  /**
   * Every learned stage, in pipeline order (a stage applied over a sequence counts once).
   *
   * @example
   * for (const stage of pipeline.learned()) train(stage.module, subtaskData[stage.name]);
   */
  learned(): LearnedStage[] {
    return [...new Set(this.stages.flatMap((s) => s.learned()))];
  }

  /**
   * A pipeline computing the same function whose learned stages own copies of the weights:
   * training the copy leaves this one as it is.
   *
   * @example
   * const hybrid = pipeline.copy();
   */
  copy(): Pipeline {
    return new Pipeline(this.stages.map((s) => s.copy()));
  }
}

function checkBatch(value: Tensor, type: ValueType, message: string): void {
  const expected = sampleShape(type);
  const got = value.shape.slice(1);
  if (value.ndim !== expected.length + 1 || !expected.every((d, i) => d === got[i])) {
    throw new StageTypeError(
      `Pipeline: ${message} ${shapeText(value.shape)} (expected ${shapeText(['B', ...expected])})`,
    );
  }
}
