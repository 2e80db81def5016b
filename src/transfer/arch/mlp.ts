/**
 * A multilayer perceptron trunk: flatten, then linear + ReLU per hidden width. Small and fast: the
 * architecture of tests and of quick studies on the reference backend.
 *
 * @example
 * const { trunk, featureDim } = mlpArch.trunk(mlpArch.resolve({ inputs: 784, hidden: [64] }));
 * featureDim; // 64
 */
import { z } from 'zod';
import { Flatten, Linear, ReLU, Sequential, type Module } from '../../nn/index.js';
import { parseConfig } from '../../config/index.js';
import type { Architecture, ArchConfig } from './types.js';

/**
 * The MLP's config: input size (after flattening) and hidden widths.
 *
 * @example
 * mlpConfigSchema.parse({}); // { inputs: 784, hidden: [128] }
 */
export const mlpConfigSchema = z.strictObject({
  inputs: z.number().int().min(1).default(784),
  hidden: z.array(z.number().int().min(1)).default([128]),
});

export type MlpConfig = z.output<typeof mlpConfigSchema>;

/** The registry entry of 'mlp'. @example buildModel({ arch: 'mlp', config: { hidden: [32] }, tasks }); */
export const mlpArch: Architecture = {
  resolve: (config: ArchConfig) => parseConfig(mlpConfigSchema, config, "arch 'mlp' config"),
  trunk: (config: ArchConfig) => {
    const c = config as MlpConfig;
    const layers: Module[] = [new Flatten()];
    let width = c.inputs;
    for (const h of c.hidden) {
      layers.push(new Linear(width, h), new ReLU());
      width = h;
    }
    return { trunk: new Sequential(...layers), featureDim: width };
  },
  inputShape: (config: ArchConfig) => [(config as MlpConfig).inputs],
};
