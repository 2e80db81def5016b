/**
 * Pre-trained checkpoints: the train layer's checkpoint directory (weights in `model.safetensors`,
 * every file atomic and listed with its SHA-256 in the manifest) whose `metadata.json` holds the
 * architecture description `{ arch, config, tasks }` (plus, optionally, where the weights came
 * from). That is all it takes to rebuild the model, so a checkpoint loads without the code that
 * trained it. A Trainer run with `checkpoint.metadata` set to the description writes the same format.
 *
 * @example
 * savePretrained('runs/fashion', model, { arch: 'cnn', config: {}, tasks: [{ name: 'fashion', classes: 10 }] });
 * const { model: again, description } = loadPretrained('runs/fashion'); // the newest checkpoint there
 */
import { assertDescriptionFitsTensors } from './arch/declared-size.js';
import { ValueError } from '../core/errors.js';
import type { MultiTaskModel } from '../models/hard-sharing.js';
import {
  checkpointDirOf,
  loadCheckpoint,
  loadWeightsStrict,
  saveCheckpoint,
  type CheckpointInfo,
  type JsonValue,
} from '../train/index.js';
import { buildModel, resolveDescription } from './arch/registry.js';
import type { ArchDescription } from './arch/types.js';

/** What `metadata.json` of a pre-trained checkpoint holds. */
export interface PretrainedMetadata extends ArchDescription {
  /** Free-form notes on the pre-training (data, epochs, accuracy). */
  source?: JsonValue;
}

/** A loaded checkpoint: the rebuilt model with its weights, and its description. */
export interface Pretrained {
  model: MultiTaskModel;
  description: ArchDescription;
  /** The checkpoint directory read. */
  path: string;
  source?: JsonValue;
}

export interface SavePretrainedOptions {
  step?: number;
  epoch?: number;
  source?: JsonValue;
  /** Files saved inside the checkpoint beside the weights (a text model's `tokenizer.json`). */
  files?: Readonly<Record<string, string>>;
}

/**
 * Writes `model` and its description as a checkpoint under `root`, after checking that the
 * description rebuilds a model with exactly these parameter names and shapes.
 *
 * @example
 * const { path } = savePretrained('runs/src', model, desc, { source: { data: 'fashion-mnist', epochs: 2 } });
 */
export function savePretrained(
  root: string,
  model: MultiTaskModel,
  description: ArchDescription,
  opts: SavePretrainedOptions = {},
): CheckpointInfo {
  const desc = resolveDescription(description);
  const weights = model.stateDict();
  buildModel(desc).loadStateDict(weights, { strict: true });
  const metadata = { ...desc, ...(opts.source === undefined ? {} : { source: opts.source }) } as unknown as JsonValue;
  return saveCheckpoint(root, {
    step: opts.step ?? 0,
    epoch: opts.epoch ?? 0,
    model: weights,
    metadata,
    ...(opts.files === undefined ? {} : { files: opts.files }),
  });
}

/**
 * Rebuilds the model of a checkpoint (a checkpoint directory, or a run directory: its newest
 * checkpoint) and loads its weights strictly.
 *
 * @example
 * const { model, description } = loadPretrained('runs/fashion/step-00001875-epoch-0002');
 * description.tasks; // [{ name: 'fashion', classes: 10 }]
 */
export function loadPretrained(path: string): Pretrained {
  const dir = checkpointDirOf(path, 'loadPretrained');
  const contents = loadCheckpoint(dir);
  const meta = contents.metadata as unknown as Partial<PretrainedMetadata> | undefined;
  if (meta === undefined || typeof meta !== 'object' || meta === null || typeof meta.arch !== 'string') {
    throw new ValueError(
      'loadPretrained',
      `${dir}/metadata.json does not describe an architecture: expected { arch, config, tasks }`,
    );
  }
  // what metadata.json declares must fit the limits and the tensors present before anything is built
  assertDescriptionFitsTensors(
    { arch: meta.arch, config: meta.config ?? {}, tasks: meta.tasks ?? [] },
    contents.model,
    dir,
  );
  const description = resolveDescription({ arch: meta.arch, config: meta.config ?? {}, tasks: meta.tasks ?? [] });
  const model = buildModel(description);
  loadWeightsStrict(model, contents.model, dir);
  return meta.source === undefined
    ? { model, description, path: dir }
    : { model, description, path: dir, source: meta.source };
}
