/**
 * The architecture registry: a checkpoint stores `{ arch, config, tasks }` next to its weights, and
 * the registry turns that description back into a model with the same parameter names, so a
 * checkpoint can be loaded without the code that trained it. A model is a multi-task network with
 * hard sharing (`trunk.*`, `heads.<task>.*`): one head for a single-task source, several for a
 * source pre-trained on several tasks, one new head for a target.
 *
 * @example
 * const desc = { arch: 'cnn', config: { channels: [32, 64], hidden: 128 }, tasks: [{ name: 'fashion', classes: 10 }] };
 * const model = buildModel(desc);
 * model.run(x).outputs.fashion; // [N, 10]
 */
import { ValueError } from '../../core/errors.js';
import { Linear } from '../../nn/index.js';
import { MultiTaskModel } from '../../models/hard-sharing.js';
import { audioArch } from './audio.js';
import { cnnArch } from './cnn.js';
import { mlpArch } from './mlp.js';
import { textArch } from './text.js';
import { pretrainedArch } from './pretrained.js';
import { visionArchs } from './vision-zoo.js';
import type { Architecture, ArchConfig, ArchDescription, BuiltTrunk, TaskDescription } from './types.js';
import { recordFrom } from '../../core/safe-keys.js';

const registry = new Map<string, Architecture>([
  ['cnn', cnnArch],
  ['mlp', mlpArch],
  ['text', textArch],
  ['audio', audioArch],
  ...Object.entries(visionArchs),
  ['pretrained', pretrainedArch],
]);

/**
 * Adds an architecture under `name` (replacing one of the same name).
 *
 * @example
 * registerArch('tiny', { resolve: (c) => c, trunk: () => ({ trunk: new Flatten(), featureDim: 784 }), inputShape: () => [784] });
 */
export function registerArch(name: string, arch: Architecture): void {
  registry.set(name, arch);
}

/**
 * The names of the registered architectures.
 *
 * @example
 * archNames(); // ['cnn', 'mlp', 'text', 'audio']
 */
export function archNames(): string[] {
  return [...registry.keys()];
}

function lookup(name: unknown): Architecture {
  const a = typeof name === 'string' ? registry.get(name) : undefined;
  if (a === undefined)
    throw new ValueError(
      'architecture',
      `unknown arch ${JSON.stringify(name)}, expected one of ${archNames().join(', ')}`,
    );
  return a;
}

function checkTask(t: TaskDescription, i: number): TaskDescription {
  if (typeof t?.name !== 'string' || t.name === '' || t.name.includes('.')) {
    throw new ValueError(
      'architecture',
      `tasks[${i}].name must be a non-empty string without '.', got ${JSON.stringify(t?.name)}`,
    );
  }
  if (!Number.isInteger(t.classes) || t.classes < 2)
    throw new ValueError('architecture', `tasks[${i}].classes must be an integer >= 2, got ${t.classes}`);
  if (t.classNames !== undefined && (!Array.isArray(t.classNames) || t.classNames.length !== t.classes)) {
    throw new ValueError('architecture', `tasks[${i}].classNames must list ${t.classes} names`);
  }
  return t.classNames === undefined
    ? { name: t.name, classes: t.classes }
    : { name: t.name, classes: t.classes, classNames: [...t.classNames] };
}

/**
 * The description with the architecture's defaults filled in and every field checked: what a
 * checkpoint stores, so that a later change of defaults cannot alter an old checkpoint's model.
 *
 * @example
 * resolveDescription({ arch: 'cnn', config: {}, tasks: [{ name: 'digit', classes: 10 }] }).config.hidden; // 128
 */
export function resolveDescription(desc: ArchDescription): ArchDescription {
  if (typeof desc !== 'object' || desc === null)
    throw new ValueError('architecture', 'description must be an object { arch, config, tasks }');
  const config = lookup(desc.arch).resolve(desc.config ?? {});
  if (!Array.isArray(desc.tasks) || desc.tasks.length === 0)
    throw new ValueError('architecture', 'tasks must list at least one { name, classes }');
  const tasks = desc.tasks.map(checkTask);
  const names = tasks.map((t) => t.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new ValueError('architecture', `task '${dup}' is listed twice`);
  return { arch: desc.arch, config, tasks };
}

/**
 * A freshly initialised trunk of an architecture (the config's missing fields take their defaults).
 *
 * @example
 * const { trunk, featureDim } = buildTrunk('cnn', { hidden: 64 });
 */
export function buildTrunk(arch: string, config: ArchConfig): BuiltTrunk {
  const a = lookup(arch);
  return a.trunk(a.resolve(config));
}

/**
 * The shape of one input example of a described model (its config's defaults filled in).
 *
 * @example
 * inputShapeOf({ arch: 'cnn', config: {}, tasks }); // [1, 28, 28]
 */
export function inputShapeOf(desc: Pick<ArchDescription, 'arch' | 'config'>): number[] {
  const a = lookup(desc.arch);
  return a.inputShape(a.resolve(desc.config ?? {}));
}

/**
 * A freshly initialised model: the trunk and one linear head per task.
 *
 * @example
 * const model = buildModel({ arch: 'mlp', config: { inputs: 784, hidden: [64] }, tasks: [{ name: 'digit', classes: 10 }] });
 * model.namedParameters().map(([n]) => n); // ['trunk.1.weight', 'trunk.1.bias', 'heads.digit.weight', 'heads.digit.bias']
 */
export function buildModel(desc: ArchDescription): MultiTaskModel {
  const d = resolveDescription(desc);
  const { trunk, featureDim } = buildTrunk(d.arch, d.config);
  return new MultiTaskModel(trunk, recordFrom(d.tasks.map((t) => [t.name, new Linear(featureDim, t.classes)])));
}
