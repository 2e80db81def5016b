/**
 * `polytask study transfer --source <ref> --target <ref>`: what the two references name, as keys
 * of the transfer study's config, so that the run's stored config says everything (a resume or a
 * worker process needs nothing else). A reference is, in this order:
 *
 * - `pretrained:NAME`: a trained backbone shipped in an npm package (`nsfw-mobilenet-v2`), as
 *   given weights: no source data, no source training (src/transfer/study/pretrained.ts);
 * - `checkpoint:DIR`: a polytask checkpoint directory as given weights (no source data);
 * - `ARCH:FILE.safetensors`: the zoo model ARCH (resnet18, mobilenet_v2, vit, …) with its trunk's
 *   weights from FILE, as given weights: the same as `--arch ARCH --weights FILE`;
 * - a file: a YAML or JSON config whose `data:` section says where the examples are (the same
 *   section `train` reads; its relative paths are read from the working directory, as there);
 * - a built-in data set's name (`mnist`, `fashion-mnist`): that data set;
 * - `--source` only: a checkpoint directory (its model, pre-trained), or a finished train,
 *   pretrain or finetune run (id, id suffix or directory): its newest checkpoint is the source
 *   model and its config's `data:` (with its seed) the data it was trained on, for the checks.
 *
 * @example
 * transferOverrides({ source: 'runs/20260101-pretrain-3fa2c1', target: 'examples/transfer-target.yaml' }, root);
 * // [{ path: 'source.checkpoint', ... }, { path: 'source.data', ... }, { path: 'source.seed', ... }, { path: 'source.samples', value: 'all' }, { path: 'target.data', ... }]
 */
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { dataSchema } from '../../data/sources/index.js';
import { readRunConfig } from '../../report/index.js';
import type { Override } from '../config/overrides.js';
import { readConfigFile } from '../config/read-file.js';
import { CliError } from '../errors.js';
import { findRun } from '../run-store.js';

/** Run kinds whose checkpoints are a model a study can start from. */
const MODEL_RUNS = ['train', 'pretrain', 'finetune'];

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `data:` section a reference names as data (a config file or a built-in name), or null. */
function dataOf(flag: string, ref: string): Record<string, unknown> | null {
  if (fs.existsSync(ref) && fs.statSync(ref).isFile()) {
    const raw = readConfigFile(ref);
    if (!isMapping(raw.data))
      throw new CliError(`${flag} ${ref}: the file has no data: section (a mapping saying where the examples are)`);
    return raw.data;
  }
  if (dataSchema.safeParse({ source: ref }).success) return { source: ref };
  if (/\.(ya?ml|json)$/i.test(ref)) throw new CliError(`${flag} ${ref}: no such file`);
  return null;
}

/** The `source` of given weights that a `--source` reference names, or null; its `model` with `ARCH:FILE`. */
function givenWeights(ref: string): Override[] | null {
  const flag = '--source';
  const set = (path: string, value: unknown): Override => ({ path, value, source: flag });
  const named = /^pretrained:(.+)$/.exec(ref);
  if (named !== null) return [set('source', { from: 'pretrained', backbone: named[1] })];
  const checkpoint = /^checkpoint:(.+)$/.exec(ref);
  if (checkpoint !== null) return [set('source', { from: 'pretrained', checkpoint: resolve(checkpoint[1]!) })];
  const zoo = /^([^:/\\]+):(.+\.safetensors)$/i.exec(ref);
  if (zoo !== null)
    return [set('source', { from: 'pretrained', weights: resolve(zoo[2]!) }), set('model', { arch: zoo[1] })];
  return null;
}

/** The config keys a `--source` reference sets. */
function sourceOverrides(ref: string, root: string): Override[] {
  const flag = '--source';
  const set = (path: string, value: unknown): Override => ({ path, value, source: flag });
  const given = givenWeights(ref);
  if (given !== null) return given;
  const data = dataOf(flag, ref);
  if (data !== null) return [set('source.data', data)];
  if (fs.existsSync(join(ref, 'manifest.json'))) return [set('source.checkpoint', resolve(ref))];
  let info;
  try {
    info = findRun(root, ref);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    throw new CliError(
      `${flag} ${ref}: neither a config file with a data: section, a built-in data set, a checkpoint directory nor a run (${err.message})`,
    );
  }
  if (!MODEL_RUNS.includes(info.kind))
    throw new CliError(
      `${flag} ${ref}: run ${info.id} is a '${info.kind}' run, expected a train, pretrain or finetune run`,
    );
  if (info.status !== 'completed')
    throw new CliError(`${flag} ${ref}: run ${info.id} is ${info.status}, not completed: its model is not finished`);
  const config = readRunConfig(info.dir);
  if (!isMapping(config) || !isMapping(config.data))
    throw new CliError(`${flag} ${ref}: run ${info.id} has no data: section in its config.json`);
  return [
    set('source.checkpoint', join(info.dir, 'checkpoints')),
    set('source.data', config.data),
    ...(typeof config.seed === 'number' ? [set('source.seed', config.seed)] : []),
    set('source.samples', 'all'),
  ];
}

/**
 * The overrides of `--source` and `--target` (none for those not given).
 *
 * @example
 * transferOverrides({ source: 'mnist', target: 'my-data.yaml' }, root);
 */
export function transferOverrides(opts: Readonly<Record<string, unknown>>, root: string): Override[] {
  const out: Override[] = [];
  if (typeof opts.weights === 'string') {
    if (typeof opts.source === 'string')
      throw new CliError(
        `--weights ${opts.weights}: the weights are the source; drop --source ${opts.source} (or give --source ARCH:FILE.safetensors alone)`,
      );
    out.push({ path: 'source', value: { from: 'pretrained', weights: resolve(opts.weights) }, source: '--weights' });
  }
  // the whole model: the other architectures' keys (a cnn's channels) would not fit this one
  if (typeof opts.arch === 'string') out.push({ path: 'model', value: { arch: opts.arch }, source: '--arch' });
  if (typeof opts.source === 'string') out.push(...sourceOverrides(opts.source, root));
  if (typeof opts.target === 'string') {
    const data = dataOf('--target', opts.target);
    if (data === null)
      throw new CliError(
        `--target ${opts.target}: neither a config file with a data: section nor a built-in data set (mnist, fashion-mnist)`,
      );
    out.push({ path: 'target.data', value: data, source: '--target' });
  }
  return out;
}
