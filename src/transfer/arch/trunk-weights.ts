/**
 * Starting a model's trunk from a reference checkpoint: a safetensors file with the zoo model's
 * reference names (torchvision's `conv1.weight`, `layer1.0.bn1.running_mean`, …) loads into the
 * trunk (`trunk.conv1.weight`, …). The reference's classifier (`fc.*`, `classifier.*`, `heads.*`)
 * is left out, since the task's head is new; every trunk weight must be in the file with its shape,
 * else nothing is loaded and the error names the first weight that is wrong.
 *
 * @example
 * loadTrunkWeights(model, 'resnet18.safetensors'); // { loaded: 122, ignored: ['fc.weight', 'fc.bias'] }
 */
import { ValueError } from '../../core/errors.js';
import { loadSafetensors } from '../../io/safetensors.js';
import type { AnyModule } from '../../nn/index.js';
import { nullRecord } from '../../core/safe-keys.js';

/**
 * Loads `file` into `model.trunk.*`; returns how many tensors were loaded and the file's keys left out.
 *
 * @example
 * loadTrunkWeights(buildModel(desc), 'mobilenet_v2.safetensors').loaded;
 */
export function loadTrunkWeights(model: AnyModule, file: string): { loaded: number; ignored: string[] } {
  const weights = loadSafetensors(file);
  const trunk = new Map(Object.entries(model.stateDict()).filter(([k]) => k.startsWith('trunk.')));
  const mine = nullRecord<(typeof weights)[string]>();
  const ignored: string[] = [];
  for (const [k, v] of Object.entries(weights)) {
    const target = trunk.get(`trunk.${k}`);
    if (target === undefined) {
      ignored.push(k);
      continue;
    }
    if (target.shape.join(',') !== v.shape.join(','))
      throw new ValueError(file, `${k} has shape [${v.shape.join(', ')}], the model's is [${target.shape.join(', ')}]`);
    mine[`trunk.${k}`] = v;
  }
  const missing = [...trunk.keys()].filter((k) => !(k in mine));
  if (missing.length > 0)
    throw new ValueError(
      file,
      `${missing.length} of the trunk's weights are not in the file (first: ${missing[0]!.slice('trunk.'.length)}); is it a checkpoint of this architecture?`,
    );
  model.loadStateDict(mine, { strict: false });
  return { loaded: Object.keys(mine).length, ignored };
}
