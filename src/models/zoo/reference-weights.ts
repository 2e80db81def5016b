/**
 * Starting a zoo network from a reference checkpoint: a safetensors file with the zoo model's
 * reference names (torchvision's `conv1.weight`, `layer1.0.bn1.running_mean`, …) loads into the
 * module's tensors under `prefix` (`trunk.conv1.weight` for a trunk-and-heads model, `net.conv1.weight`
 * for an end-to-end model). Keys the module does not have (a reference classifier `fc.*`,
 * `classifier.*`, `heads.*` beside a trunk) are left out, and so are the module's own keys under
 * `skip` (a new classifier of another size); every other tensor under the prefix must be in the
 * file with its shape, else nothing is loaded and the error names the first one that is wrong.
 *
 * @example
 * loadReferenceWeights(model, 'resnet18.safetensors', { prefix: 'trunk.' }); // { loaded: 122, ignored: ['fc.weight', 'fc.bias'] }
 */
import { ValueError } from '../../core/errors.js';
import { loadSafetensors } from '../../io/safetensors.js';
import type { AnyModule } from '../../nn/index.js';
import { nullRecord } from '../../core/safe-keys.js';

export interface ReferenceWeightsOptions {
  /** Where the reference names sit in the module's state dict ('trunk.', 'net.'). */
  prefix: string;
  /** Reference-name prefixes of the module that the file does not give (a resized classifier: 'fc.'). */
  skip?: readonly string[];
  /** What the tensors are, in errors ("trunk's"). Default "model's". */
  what?: string;
}

/**
 * Loads `file` into `module`'s tensors under `prefix`; returns how many were loaded and the file's keys left out.
 *
 * @example
 * loadReferenceWeights(e2e, 'r18.safetensors', { prefix: 'net.', skip: ['fc.'] }).loaded;
 */
export function loadReferenceWeights(
  module: AnyModule,
  file: string,
  opts: ReferenceWeightsOptions,
): { loaded: number; ignored: string[] } {
  const weights = loadSafetensors(file);
  const { prefix } = opts;
  const skipped = (k: string): boolean => (opts.skip ?? []).some((s) => k.startsWith(s));
  const mine = new Map(
    Object.entries(module.stateDict()).filter(([k]) => k.startsWith(prefix) && !skipped(k.slice(prefix.length))),
  );
  const given = nullRecord<(typeof weights)[string]>();
  const ignored: string[] = [];
  for (const [k, v] of Object.entries(weights)) {
    const target = mine.get(`${prefix}${k}`);
    if (target === undefined) {
      ignored.push(k);
      continue;
    }
    if (target.shape.join(',') !== v.shape.join(','))
      throw new ValueError(file, `${k} has shape [${v.shape.join(', ')}], the model's is [${target.shape.join(', ')}]`);
    given[`${prefix}${k}`] = v;
  }
  const missing = [...mine.keys()].filter((k) => !(k in given));
  if (missing.length > 0)
    throw new ValueError(
      file,
      `${missing.length} of the ${opts.what ?? "model's"} weights are not in the file (first: ${missing[0]!.slice(prefix.length)}); is it a checkpoint of this architecture?`,
    );
  module.loadStateDict(given, { strict: false });
  return { loaded: Object.keys(given).length, ignored };
}
