/**
 * A trained backbone from an npm package as a trunk (`model: { arch: pretrained, name:
 * nsfw-mobilenet-v2 }`): its weights come from the package when the model is built, and a
 * checkpoint of a model trained from it stores only `{ name, … }` plus the weights as trained, so a
 * later build from the checkpoint gives the same model. Inputs are RGB pixels in [0, 1].
 *
 * @example
 * const { trunk, featureDim } = pretrainedArch.trunk(pretrainedArch.resolve({ name: 'nsfw-mobilenet-v2', height: 96, width: 96 }));
 * trunk.forward(images).shape; // [N, 1280]
 */
import { z } from 'zod';
import { parseConfig } from '../../config/index.js';
import { ValueError } from '../../core/errors.js';
import { loadPretrained } from '../../models/pretrained/index.js';
import type { Architecture, ArchConfig, BuiltTrunk } from './types.js';
import { imageInputShape } from './vision-zoo.js';

const pretrainedSchema = z.strictObject({
  /** The backbone (`polytask/models`' pretrainedBackbones() lists them). */
  name: z.string().min(1),
  inChannels: z.number().int().min(1).default(3),
  height: z.number().int().min(32).max(4096),
  width: z.number().int().min(32).max(4096),
});

type PretrainedConfig = z.output<typeof pretrainedSchema>;

/** The registry entry of 'pretrained'. */
export const pretrainedArch: Architecture = {
  resolve: (config: ArchConfig) => {
    const c = parseConfig(pretrainedSchema, config, "arch 'pretrained' config");
    if (c.inChannels !== 3)
      throw new ValueError(
        "arch 'pretrained' config",
        `inChannels ${c.inChannels}: a pretrained backbone takes RGB images: set data.channels: 3`,
      );
    return c;
  },
  trunk: (config: ArchConfig): BuiltTrunk => {
    const b = loadPretrained((config as PretrainedConfig).name);
    return { trunk: b.module, featureDim: b.featureDim };
  },
  // inChannels is 3, checked by resolve
  inputShape: imageInputShape,
};
