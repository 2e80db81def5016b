/**
 * Multi-task weighting: how the losses or gradients of several tasks become one update. Every method
 * is one file behind the `WeightingMethod` interface (types.ts), made by key with `createWeighting`.
 *
 * Loss weighting (one backward of a weighted sum, the cost of equal weights):
 *   ew (equal), sw (static), uw (Kendall et al. 2018), dwa (Liu et al. 2019), gradnorm (Chen et al.
 *   2018; plus one head-and-last-layer gradient per task), rlw (Lin et al. 2022), famo (Liu et al. 2023).
 * Gradient combination (one gradient per task over the shared parameters, or over the shared
 *   representation with `space: 'representation'`):
 *   pcgrad (Yu et al. 2020), mgda (Sener & Koltun 2018; MGDA-UB by default), cagrad (Liu et al.
 *   2021), imtl (IMTL-G, Liu et al. 2021), aligned (Senushkin et al. 2023), nash (Navon et al.
 *   2022), upgrad (Quinton & Rey 2024).
 *
 * @example
 * const method = createWeighting('nash', ['left', 'right']);
 * const opt = new optim.Adam([...model.parameters(), ...method.parameters()]);
 * opt.zeroGrad();
 * const { weights } = method.backward({ taskLosses, sharedParams, taskParams, representation: z });
 * opt.step();
 * method.afterStep?.(lossesAfterStep);   // FAMO learns from it; optional
 * method.epochEnd?.(epochMeanLosses);    // DWA needs it
 */
export {
  weightingKeys,
  type WeightingKey,
  type WeightingNeeds,
  type MtlStepContext,
  type WeightingStep,
  type WeightingState,
  type WeightingMethod,
} from './types.js';
export { createWeighting, isWeightingKey, type WeightingOptionsMap } from './registry.js';
export { WeightingBase } from './base.js';
export { LossWeighting, weightedSum, type WeightedObjective } from './loss-weighting.js';
export {
  GradientWeighting,
  type GradientSpace,
  type GradientMethodOptions,
  type GradientProblem,
} from './gradient-weighting.js';
export { EqualWeighting } from './ew.js';
export { StaticWeighting, type StaticWeightingOptions } from './sw.js';
export { UncertaintyWeighting } from './uw.js';
export { DynamicWeightAverage, type DwaOptions } from './dwa.js';
export { GradNorm, type GradNormOptions } from './gradnorm.js';
export { RandomLossWeighting } from './rlw.js';
export { FAMO, type FamoOptions } from './famo.js';
export { PCGrad, pcgradWeights } from './pcgrad.js';
export { MGDA, mgdaWeights, type MgdaOptions, type MgdaNormalization } from './mgda.js';
export { CAGrad, cagradWeights, type CagradOptions } from './cagrad.js';
export { IMTLG, imtlWeights } from './imtl.js';
export { AlignedMTL, alignedMatrix, alignedWeights } from './aligned.js';
export { NashMTL } from './nash.js';
export { UPGrad, upgradWeights } from './upgrad.js';
export { flatten, accumulateGrad, gramMatrix, combine, taskGradients } from './gradients.js';
export {
  projectOntoSimplex,
  minimizeOnSimplex,
  minNormInHull,
  boxQP,
  nashBargaining,
  softmax,
  type SimplexObjective,
  type SimplexSolveOptions,
} from './solvers.js';
