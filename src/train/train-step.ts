/**
 * One optimizer step: zero the gradients, run the user's step, differentiate (backward 'auto'),
 * check every loss and gradient for NaN and infinity, clip, update. A non-finite value stops the
 * step before the update, with the gradients dropped, and is returned for the trainer to act on.
 *
 * @example
 * const outcome = await runStep(batch, ctx, { step, optimizer, params, backward: 'auto', clipGradNorm: 1 });
 * if (outcome.nonFinite !== null) throw new NonFiniteError(outcome.nonFinite, null);
 */
import { ValueError } from '../core/errors.js';
import { clipGradNorm, type GroupOptions, type Optimizer, type ParamState } from '../optim/index.js';
import { Tensor } from '../tensor/index.js';
import type { NonFiniteInfo } from './errors.js';
import { firstNonFiniteGradient, firstNonFiniteLoss } from './finite.js';
import type { StepContext, StepFn, StepOutput } from './trainer-options.js';
import { nullRecord } from '../core/safe-keys.js';

/** What runStep needs besides the batch. */
export interface StepSetup<B> {
  step: StepFn<B>;
  optimizer: Optimizer<GroupOptions, ParamState>;
  /** The optimizer's parameters with names for error messages, in group order. */
  params: readonly (readonly [string, Tensor])[];
  backward: 'auto' | 'manual';
  /** Maximum global gradient norm, or null for no clipping. */
  clipGradNorm: number | null;
}

/** What a step did. */
export interface StepOutcome {
  loss: number;
  losses: Record<string, number>;
  /** Global gradient norm before clipping; null without clipping or when the step stopped early. */
  gradNorm: number | null;
  /** The first non-finite value found; the update was then not applied. */
  nonFinite: NonFiniteInfo | null;
}

function scalar(where: string, v: Tensor | number): number {
  if (v instanceof Tensor) {
    if (v.size !== 1) throw new ValueError(where, `must be a scalar, got a tensor of shape [${v.shape.join(',')}]`);
    return v.item();
  }
  if (typeof v !== 'number') throw new ValueError(where, `must be a Tensor or a number, got ${typeof v}`);
  return v;
}

/** The step's losses as numbers; the total defaults to the sum of the task losses. */
function readLosses(out: StepOutput): { loss: number; losses: Record<string, number> } {
  if (typeof out !== 'object' || out === null)
    throw new ValueError('Trainer step', 'must return an object { loss, losses? }');
  const losses = nullRecord<number>();
  for (const [task, v] of Object.entries(out.losses ?? {})) losses[task] = scalar(`Trainer step: losses.${task}`, v);
  if (out.loss !== undefined) return { loss: scalar('Trainer step: loss', out.loss), losses };
  const values = Object.values(losses);
  if (values.length === 0) throw new ValueError('Trainer step', 'returned neither loss nor losses');
  return { loss: values.reduce((a, b) => a + b, 0), losses };
}

/**
 * Runs one step on `batch`. Throws a ValueError when the step's output does not fit the backward
 * mode (with 'auto', `loss` must be a scalar Tensor that requires grad).
 *
 * @example
 * await runStep(batch, { step: 0, epoch: 0, batchIndex: 0 }, setup);
 */
export async function runStep<B>(batch: B, ctx: StepContext, setup: StepSetup<B>): Promise<StepOutcome> {
  const { optimizer } = setup;
  optimizer.zeroGrad();
  const out = await setup.step(batch, ctx);
  const { loss, losses } = readLosses(out);
  const stopped = (found: Omit<NonFiniteInfo, 'step' | 'epoch'>): StepOutcome => {
    optimizer.zeroGrad();
    return { loss, losses, gradNorm: null, nonFinite: { ...found, step: ctx.step, epoch: ctx.epoch } };
  };

  const badLoss = firstNonFiniteLoss(loss, losses);
  if (badLoss !== null) return stopped({ kind: 'loss', ...badLoss });
  if (setup.backward === 'auto') {
    if (!(out.loss instanceof Tensor) || !out.loss.requiresGrad) {
      throw new ValueError(
        'Trainer step',
        "with backward 'auto' the step must return `loss` as a scalar Tensor that requires grad (return it from the model's graph, or use backward 'manual')",
      );
    }
    out.loss.backward();
  }
  const badGrad = firstNonFiniteGradient(setup.params);
  if (badGrad !== null) return stopped({ kind: 'gradient', ...badGrad });

  let gradNorm: number | null = null;
  if (setup.clipGradNorm !== null) {
    gradNorm = clipGradNorm(
      setup.params.map(([, p]) => p),
      setup.clipGradNorm,
    );
    // finite gradients whose norm overflows float32 would be scaled to zero: treat as non-finite
    if (!Number.isFinite(gradNorm)) return stopped({ kind: 'gradient', parameter: 'norm', value: gradNorm });
  }
  optimizer.step();
  return { loss, losses, gradNorm, nonFinite: null };
}
