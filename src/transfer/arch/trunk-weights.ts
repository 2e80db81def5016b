/**
 * Starting a model's trunk from a reference checkpoint: a safetensors file with the zoo model's
 * reference names (torchvision's `conv1.weight`, `layer1.0.bn1.running_mean`, …) loads into the
 * trunk (`trunk.conv1.weight`, …). The reference's classifier (`fc.*`, `classifier.*`, `heads.*`)
 * is left out, since the task's head is new; every trunk weight must be in the file with its shape,
 * else nothing is loaded and the error names the first weight that is wrong (the zoo's
 * loadReferenceWeights, under `trunk.`).
 *
 * @example
 * loadTrunkWeights(model, 'resnet18.safetensors'); // { loaded: 122, ignored: ['fc.weight', 'fc.bias'] }
 */
import { loadReferenceWeights } from '../../models/zoo/reference-weights.js';
import type { AnyModule } from '../../nn/index.js';

/**
 * Loads `file` into `model.trunk.*`; returns how many tensors were loaded and the file's keys left out.
 *
 * @example
 * loadTrunkWeights(buildModel(desc), 'mobilenet_v2.safetensors').loaded;
 */
export function loadTrunkWeights(model: AnyModule, file: string): { loaded: number; ignored: string[] } {
  return loadReferenceWeights(model, file, { prefix: 'trunk.', what: "trunk's" });
}
