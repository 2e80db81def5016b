/**
 * optim: optimizers (SGD, Adam, AdamW) with parameter groups and resumable state, lr schedulers,
 * and gradient clipping.
 *
 * @example
 * import { optim } from 'polytask';
 * const opt = new optim.AdamW(model.parameters(), { lr: 3e-4 });
 * const sched = new optim.LinearWarmup(opt, { warmupSteps: 100, after: new optim.CosineAnnealingLR(opt, { tMax: 900 }) });
 * opt.zeroGrad(); loss.backward(); optim.clipGradNorm(model.parameters(), 1); opt.step(); sched.step();
 */
export {
  Optimizer,
  type GroupOptions,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamsArg,
  type ParamState,
  type OptimizerStateDict,
} from './optimizer.js';
export { SGD, type SgdOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { clipGradNorm, type ClipGradNormOptions } from './clip.js';
export { LRScheduler, type Schedulable, type SchedulerStateDict } from './schedulers/scheduler.js';
export { StepLR, type StepLROptions } from './schedulers/step.js';
export { CosineAnnealingLR, type CosineAnnealingOptions } from './schedulers/cosine.js';
export { LinearWarmup, type LinearWarmupOptions } from './schedulers/warmup.js';
export { OneCycleLR, type OneCycleOptions } from './schedulers/onecycle.js';
export { LambdaLR, type LrLambda } from './schedulers/lambda.js';
