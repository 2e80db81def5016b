/**
 * `--arch` and `--weights` of the multi-task and end-to-end studies: the zoo architecture of the
 * study's network (`trunk.arch`, `model.arch`) and a safetensors file with its reference names to
 * start from (`trunk.weights`, `model.weights`, kept as an absolute path so that a resume or a
 * worker in another directory finds it). The architecture's other options go through `--set`
 * (`--set trunk.widthMult=0.25`, `--set model.patchSize=4`).
 *
 * @example
 * const { options, expand } = zooFlags('trunk');
 * expand({ arch: 'resnet18', weights: 'r18.safetensors' }); // [{ path: 'trunk.arch', ... }, { path: 'trunk.weights', value: '/abs/r18.safetensors', ... }]
 */
import { resolve } from 'node:path';
import { zooArchs } from '../../models/zoo/zoo-net.js';
import type { Override } from '../config/overrides.js';
import type { StudyOption } from './types.js';

/**
 * The options and their overrides for the zoo network under config key `key`.
 *
 * @example
 * zooFlags('model').options[0].flags; // '--arch <name>'
 */
export function zooFlags(key: string): {
  options: StudyOption[];
  expand: (opts: Readonly<Record<string, unknown>>) => Override[];
} {
  return {
    options: [
      {
        flags: '--arch <name>',
        description: `the network from the model zoo: ${zooArchs.join(', ')} (sets ${key}.arch; its options with --set ${key}.KEY=...)`,
      },
      {
        flags: '--weights <file>',
        description: `start the --arch network from this safetensors file with its reference (torchvision) names (sets ${key}.weights)`,
      },
    ],
    expand: (opts) => [
      ...(typeof opts.arch === 'string' ? [{ path: `${key}.arch`, value: opts.arch, source: '--arch' }] : []),
      ...(typeof opts.weights === 'string'
        ? [{ path: `${key}.weights`, value: resolve(opts.weights), source: '--weights' }]
        : []),
    ],
  };
}
