/**
 * The model a training command starts from. `train` and `pretrain` build a fresh zoo model;
 * `finetune` loads a pre-trained one and gives it a new head for the target task (its strategy,
 * src/cli/supervised/finetune.ts, decides what trains). A resumed `train` or `pretrain` rebuilds
 * the model from its own newest checkpoint, which holds the architecture description; a resumed
 * `finetune` starts its strategy again from the pre-trained model.
 *
 * @example
 * const { model, description, paramSets } = prepareModel({ kind: 'finetune', config, data, root, resume: false, checkpointsDir });
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { checkpointDirOf, latestCheckpoint, readCheckpointFile } from '../../train/index.js';
import type { MultiTaskModel } from '../../models/hard-sharing.js';
import { inputFits } from '../../transfer/arch/input-shape.js';
import { buildModel, inputShapeOf } from '../../transfer/arch/registry.js';
import type { ArchDescription } from '../../transfer/arch/types.js';
import { loadPretrained } from '../../transfer/checkpoint.js';
import { replaceHeads } from '../../transfer/heads.js';
import { CliError } from '../errors.js';
import type { FinetuneConfig, TrainConfig } from '../config/train-schema.js';
import { TOKENIZER_FILE, type LoadedData } from '../../data/sources/index.js';
import { findRun } from '../run-store.js';
import { describeModel, givenWeights } from './model.js';
import { loadTrunkWeights } from '../../transfer/arch/trunk-weights.js';
import type { ParamSet } from '../../train/index.js';

export interface ModelRequest {
  kind: 'train' | 'pretrain' | 'finetune';
  config: TrainConfig | FinetuneConfig;
  data: LoadedData;
  /** Runs root, to find a `finetune.from` run by id. */
  root: string;
  resume: boolean;
  /** The run's checkpoints directory. */
  checkpointsDir: string;
}

export interface PreparedModel {
  model: MultiTaskModel;
  description: ArchDescription;
  paramSets: ParamSet[];
}

/**
 * The checkpoint a `finetune.from` names: a checkpoint directory, a run directory (its
 * checkpoints), or a run id in the runs root.
 *
 * @example
 * pretrainedPath(root, '3fa2c1'); // '/abs/runs/2026...-pretrain-3fa2c1/checkpoints'
 */
export function pretrainedPath(root: string, from: string): string {
  if (fs.existsSync(join(from, 'manifest.json'))) return from;
  if (fs.existsSync(join(from, 'checkpoints'))) return join(from, 'checkpoints');
  // a directory of checkpoints (a study's source.save): its newest
  if (fs.existsSync(from) && latestCheckpoint(from) !== null) return from;
  return join(findRun(root, from).dir, 'checkpoints');
}

/**
 * The tokenizer.json a `finetune.from` checkpoint holds (an MLM pre-training saves its vocabulary
 * inside its checkpoint), checked against the checkpoint's manifest; undefined when it holds none.
 *
 * @example
 * pretrainedTokenizer(root, 'runs/…/subruns/source'); // '…/step-00000000-epoch-0003/tokenizer.json'
 */
export function pretrainedTokenizer(root: string, from: string): string | undefined {
  const dir = checkpointDirOf(pretrainedPath(root, from), 'finetune.from');
  return readCheckpointFile(dir, TOKENIZER_FILE) === null ? undefined : join(dir, TOKENIZER_FILE);
}

/** A zoo model for the data with its trunk from `model.weights`: what `train --weights` builds. */
function zooModel(
  c: Pick<TrainConfig, 'task'> & { model: TrainConfig['model'] },
  data: LoadedData,
): { model: MultiTaskModel; description: ArchDescription } {
  const description = describeModel(c.model, data.featureShape, c.task, data.classes, data.classNames, data.tokenizer);
  const model = buildModel(description);
  const weights = givenWeights(c.model);
  if (weights !== undefined) loadTrunkWeights(model, weights);
  return { model, description };
}

function finetuneModel(
  config: FinetuneConfig,
  data: LoadedData,
  root: string,
): { model: MultiTaskModel; description: ArchDescription } {
  // no pre-trained run: a zoo model from its weights file (checkFinetuneConfig made sure there is one)
  if (config.finetune.from === undefined) {
    if (config.model === undefined) throw new CliError('finetune: --weights needs the model it loads into: --arch');
    return zooModel({ task: config.task, model: config.model }, data);
  }
  const pre = loadPretrained(pretrainedPath(root, config.finetune.from));
  const expected = inputShapeOf(pre.description);
  if (!inputFits(pre.description, data.featureShape)) {
    throw new CliError(
      `finetune.from: the pre-trained ${pre.description.arch} takes inputs of shape [${expected.join(',')}], the data gives [${data.featureShape.join(',')}]`,
    );
  }
  const vocabSize = (pre.description.config as { vocabSize?: unknown }).vocabSize;
  if (pre.description.arch === 'text' && data.tokenizer?.vocabSize !== vocabSize) {
    throw new CliError(
      `finetune.from: the pre-trained text model reads ids of a vocabulary of ${String(vocabSize)}, the data's tokenizer has ${data.tokenizer?.vocabSize ?? 'none'}; set data.tokenizer to the pre-trained run's tokenizer.json (or leave it out when the checkpoint holds one)`,
    );
  }
  const tasks = [{ name: config.task, classes: data.classes, classNames: data.classNames }];
  return {
    model: replaceHeads(pre.model, tasks),
    description: { arch: pre.description.arch, config: pre.description.config, tasks },
  };
}

/**
 * The model, its description and its parameter sets for a training command.
 *
 * @example
 * prepareModel({ kind: 'train', config, data, root, resume: false, checkpointsDir }).model;
 */
export function prepareModel(r: ModelRequest): PreparedModel {
  let built: { model: MultiTaskModel; description: ArchDescription };
  if (r.kind === 'finetune') {
    // a fine-tuning strategy runs whole from the pre-trained model: a resumed finetune starts it again
    built = finetuneModel(r.config as FinetuneConfig, r.data, r.root);
  } else if (r.resume && latestCheckpoint(r.checkpointsDir) !== null) {
    const saved = loadPretrained(r.checkpointsDir);
    built = { model: saved.model, description: saved.description };
  } else {
    built = zooModel(r.config as TrainConfig, r.data);
  }
  return { ...built, paramSets: [{ params: built.model.parameters() }] };
}
