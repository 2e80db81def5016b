/**
 * The benchmark CNN's trunk: blocks of conv 3×3 (padding 1), optional batch norm, ReLU and max-pool
 * 2, then flatten and an optional hidden linear layer with ReLU. With the defaults it is
 * conv(1→32)-ReLU-pool-conv(32→64)-ReLU-pool-linear(3136→128)-ReLU, the head linear(128→classes):
 * the layer order (and so the parameter names) of the equivalent PyTorch `nn.Sequential`.
 *
 * @example
 * const { trunk, featureDim } = cnnArch.trunk(cnnArch.resolve({ channels: [16, 32], hidden: 64 }));
 * trunk.forward(randn([8, 1, 28, 28])).shape; // [8, 64]
 */
import { z } from 'zod';
import { ValueError } from '../../core/errors.js';
import { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, type Module } from '../../nn/index.js';
import { parseConfig } from '../../config/index.js';
import type { Architecture, ArchConfig, BuiltTrunk } from './types.js';

const positive = z.number().int().min(1);

/**
 * The CNN's config; every field has the benchmark's default.
 *
 * @example
 * cnnConfigSchema.parse({ channels: [16] }).hidden; // 128
 */
export const cnnConfigSchema = z.strictObject({
  inChannels: positive.default(1),
  height: positive.default(28),
  width: positive.default(28),
  /** Output channels of each conv block. */
  channels: z.array(positive).min(1).default([32, 64]),
  /** Width of the hidden linear layer after flattening; 0 for none (the features are the flattened maps). */
  hidden: z.number().int().min(0).default(128),
  batchNorm: z.boolean().default(false),
});

export type CnnConfig = z.output<typeof cnnConfigSchema>;

function build(c: CnnConfig): BuiltTrunk {
  const layers: Module[] = [];
  let channels = c.inChannels;
  let h = c.height;
  let w = c.width;
  for (const out of c.channels) {
    layers.push(new Conv2d(channels, out, 3, { padding: 1 }));
    if (c.batchNorm) layers.push(new BatchNorm2d(out));
    layers.push(new ReLU(), new MaxPool2d(2));
    channels = out;
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
  }
  layers.push(new Flatten());
  const flat = channels * h * w;
  if (c.hidden > 0) layers.push(new Linear(flat, c.hidden), new ReLU());
  return { trunk: new Sequential(...layers), featureDim: c.hidden > 0 ? c.hidden : flat };
}

/** The registry entry of 'cnn'. @example buildModel({ arch: 'cnn', config: {}, tasks }); */
export const cnnArch: Architecture = {
  resolve: (config: ArchConfig) => {
    const c = parseConfig(cnnConfigSchema, config, "arch 'cnn' config");
    const pooled = c.channels.reduce((s) => Math.floor(s / 2), Math.min(c.height, c.width));
    if (pooled < 1)
      throw new ValueError(
        "arch 'cnn' config",
        `${c.channels.length} poolings shrink ${c.height}×${c.width} to nothing; use fewer channels entries`,
      );
    return c;
  },
  trunk: (config: ArchConfig) => build(config as CnnConfig),
  inputShape: (config: ArchConfig) => {
    const c = config as CnnConfig;
    return [c.inChannels, c.height, c.width];
  },
};
