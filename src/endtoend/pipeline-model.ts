/**
 * A pipeline as a Module: its learned stages' modules are the model's children, so an optimizer,
 * a Trainer and state dicts see them. Evaluating the trained pipeline, and the hybrid (the
 * pipeline's trained stages fine-tuned end to end on (x, y) pairs), both go through it.
 *
 * @example
 * const hybrid = hybridFrom(pipeline);      // copies of the trained stages
 * const opt = new optim.Adam(hybrid.parameters(), { lr: 3e-4 });
 * const loss = nn.functional.mse(hybrid.forward(x), y);   // gradients reach the digit classifier
 */
import { ValueError } from '../core/errors.js';
import { Module } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import type { Pipeline } from './pipeline.js';

/**
 * Runs a pipeline; owns (as children named after the stages) its learned stages' modules.
 *
 * @example
 * const model = new PipelineModel(pipeline);
 * model.namedParameters().map(([n]) => n); // ['digit classifier.1.weight', ...]
 */
export class PipelineModel extends Module {
  readonly #pipeline: Pipeline;

  constructor(pipeline: Pipeline) {
    super();
    this.#pipeline = pipeline;
    for (const stage of pipeline.learned()) this.registerModule(stage.name.replaceAll('.', '_'), stage.module);
  }

  get pipeline(): Pipeline {
    return this.#pipeline;
  }

  forward(x: Tensor): Tensor {
    return this.#pipeline.run(x);
  }
}

/**
 * The hybrid: a model initialised with copies of the pipeline's trained stages, to be fine-tuned
 * end to end. Every stage after the first learned one must be differentiable (a gradient from
 * the final answer has to reach the weights); rules before it only prepare the input.
 *
 * @example
 * const hybrid = hybridFrom(trainedPipeline);
 * // hybrid's weights equal the pipeline's, in arrays of their own
 */
export function hybridFrom(pipeline: Pipeline): PipelineModel {
  const first = pipeline.stages.findIndex((s) => s.kind === 'learned');
  if (first < 0) throw new ValueError('hybridFrom', 'the pipeline has no learned stage to fine-tune');
  const blocking = pipeline.stages.slice(first).find((s) => !s.differentiable);
  if (blocking !== undefined) {
    throw new ValueError(
      'hybridFrom',
      `stage '${blocking.name}' is not differentiable, so no gradient from the answer reaches the stages before it`,
    );
  }
  return new PipelineModel(pipeline.copy());
}
