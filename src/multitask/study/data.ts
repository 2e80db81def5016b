/**
 * The study's data: a built-in benchmark or a task description, as training and test sources (one
 * MultiTaskDataset per input), the tasks, and how sources are mixed when there are several. Also
 * the loaders over them: one source is iterated directly, several are mixed. Loaded once per
 * config and process (`loadStudyData`, study/once-per-config.ts): the CLI's check before the run
 * directory exists, the study's run and a worker's sub-runs share one load, and a file the user
 * edited since is loaded again.
 *
 * @example
 * const data = await loadStudyData(config);
 * const loader = trainLoader(data, ['left'], 64, 0);
 * for (const batch of testBatches(data)) { ... }
 */
import { ValueError } from '../../core/errors.js';
import { trainTestSplit } from '../../data/index.js';
import type { TextTokenizer } from '../../data/text/tokenizer.js';
import { isJsonObject } from '../../io/untrusted.js';
import { loadTaskDescription, type TaskDescription } from '../config/load-task-description.js';
import type { MultiTaskBatch, MultiTaskDataset } from '../dataset.js';
import { loadMultiFashion, loadMultiMnist, type MultiTaskBenchmark } from '../datasets/multi-digits.js';
import { loadScenes } from '../datasets/scene.js';
import { MultiTaskLoader } from '../loader.js';
import { MixedTaskLoader } from '../mixed-loader.js';
import type { Mixing } from '../mixing.js';
import type { TaskSpec } from '../task.js';
import type { MtlStudyConfig } from './config.js';
import { nullRecord } from '../../core/safe-keys.js';
import { oncePerConfig } from '../../study/index.js';

/** Everything the study trains and tests on. */
export interface StudyData {
  name: string;
  tasks: TaskSpec[];
  train: Record<string, MultiTaskDataset>;
  /** A validation split carved from each training source (empty with `validation: 0`). */
  val: Record<string, MultiTaskDataset>;
  test: Record<string, MultiTaskDataset>;
  mixing: Mixing;
  /** Token-id inputs (text sources): the vocabulary the study's text trunk embeds, and its ids masking never picks ([PAD], [UNK]). */
  text?: { vocabSize: number; padId: number; special: readonly number[] };
  /** The user's files the data was read from: the task description and every file it read (none for a built-in dataset). */
  files: readonly string[];
}

const FASHION_HINT =
  "Fashion-MNIST IDX files not found; install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)";

function builtin(c: MtlStudyConfig): MultiTaskBenchmark {
  const sizes = { train: c.train, test: c.test, seed: c.dataSeed };
  const scene = { ...sizes, missing: c.missing };
  let bench: MultiTaskBenchmark | null;
  switch (c.dataset) {
    case 'multimnist':
      return loadMultiMnist(sizes);
    case 'multifashion':
      bench = loadMultiFashion(sizes);
      break;
    case 'scene':
      bench = loadScenes(scene);
      break;
    case 'scene-fashion':
      bench = loadScenes({ ...scene, source: 'fashion', classes: [0, 5, 7, 8] });
      break;
    default:
      throw new ValueError('study', `unknown dataset '${c.dataset}'`);
  }
  if (bench === null) throw new ValueError(`dataset ${c.dataset}`, FASHION_HINT);
  return bench;
}

/**
 * A loaded task description as training and test data, split by the description's `split`.
 *
 * @example
 * descriptionData(await loadTaskDescription('tasks.yaml')).test.shared.length;
 */
export function descriptionData(d: TaskDescription): StudyData {
  const train = nullRecord<MultiTaskDataset>();
  const test = nullRecord<MultiTaskDataset>();
  for (const [name, ds] of Object.entries(d.sources)) {
    const start = d.heldOut?.[name];
    const range = (from: number, to: number): Int32Array => Int32Array.from({ length: to - from }, (_, i) => from + i);
    const split =
      start === undefined
        ? trainTestSplit(ds.length, d.split)
        : { train: range(0, start), test: range(start, ds.length) };
    train[name] = ds.subset(split.train);
    test[name] = ds.subset(split.test);
  }
  const tok = d.tokenizer;
  const text =
    tok === undefined ? {} : { text: { vocabSize: tok.vocabSize, padId: tok.padId, special: specialIds(tok) } };
  const files = [d.file, ...d.files];
  return { name: d.file, tasks: d.tasks, train, val: {}, test, mixing: d.mixing, ...text, files };
}

/**
 * The ids of `tok`'s padding and unknown-word entries (the latter when its model names one).
 *
 * @example
 * specialIds(TextTokenizer.build(texts, options)); // [0, 1]
 */
export function specialIds(tok: TextTokenizer): number[] {
  const json: unknown = JSON.parse(tok.json);
  const model = isJsonObject(json) ? json['model'] : undefined;
  const vocab = isJsonObject(model) ? model['vocab'] : undefined;
  const unk = isJsonObject(model) ? model['unk_token'] : undefined;
  const unkId = typeof unk === 'string' && isJsonObject(vocab) && Object.hasOwn(vocab, unk) ? vocab[unk] : undefined;
  return typeof unkId === 'number' && unkId !== tok.padId ? [tok.padId, unkId] : [tok.padId];
}

/**
 * `data` with `fraction` of each training source held out as its validation split (seeded, the
 * same for every run; never from the test split); unchanged for 0, or for a source too small to
 * leave an example on either side.
 *
 * @example
 * withValidation(data, 0.1, 0).val.shared.length; // a tenth of the training images
 */
export function withValidation(data: StudyData, fraction: number, seed: number): StudyData {
  if (fraction === 0) return data;
  const train = nullRecord<MultiTaskDataset>();
  const val = nullRecord<MultiTaskDataset>();
  for (const [name, ds] of Object.entries(data.train)) {
    // a stream of its own (seed + 2): the held-out examples do not move the built-in data's construction
    const split = trainTestSplit(ds.length, { testFraction: fraction, seed: seed + 2 });
    if (split.test.length === 0 || split.train.length === 0) {
      train[name] = ds;
      continue;
    }
    train[name] = ds.subset(split.train);
    val[name] = ds.subset(split.test);
  }
  return { ...data, train, val };
}

const isDescription = (dataset: string): boolean => /\.(ya?ml|json)$/i.test(dataset);

function builtinData(c: MtlStudyConfig): StudyData {
  const b = builtin(c);
  return {
    name: b.name,
    tasks: b.tasks,
    train: { shared: b.train },
    val: {},
    test: { shared: b.test },
    mixing: { strategy: 'proportional' },
    files: [],
  };
}

/** {@link loadStudyData} without the cache. */
async function loadUncached(c: MtlStudyConfig): Promise<StudyData> {
  const data = isDescription(c.dataset) ? descriptionData(await loadTaskDescription(c.dataset)) : builtinData(c);
  return withValidation(data, c.validation, c.dataSeed);
}

/**
 * Loads the configured dataset (a built-in one, or a task description with any kind of input),
 * once per config and process while its files are unchanged (see the module comment).
 *
 * @example
 * (await loadStudyData(parseStudyConfig({ dataset: 'tasks.yaml' }))).tasks.length;
 * (await loadStudyData(parseStudyConfig({ dataset: 'scene', train: 500 }))).tasks.length; // 4
 */
export const loadStudyData = oncePerConfig(loadUncached, (data) => data.files);

/** The sources holding any of `tasks`, each cut down to those tasks. */
function sourcesFor(
  sources: Readonly<Record<string, MultiTaskDataset>>,
  tasks: readonly string[],
): Record<string, MultiTaskDataset> {
  const out = nullRecord<MultiTaskDataset>();
  for (const [name, ds] of Object.entries(sources)) {
    const mine = ds.tasks.filter((t) => tasks.includes(t));
    if (mine.length > 0) out[name] = ds.withTasks(mine);
  }
  return out;
}

/**
 * A training loader over `tasks`: the one source directly, or several mixed by the data's mixing
 * (or `o.mixing`). With `o.stepsPerEpoch` every loader, one source's too, is a MixedTaskLoader of
 * that many steps, so that every run of a study has the same budget.
 *
 * @example
 * trainLoader(data, ['left', 'right'], 64, 1).batchesPerEpoch;
 * trainLoader(data, ['pos', 'genre'], 64, 1, { mixing: { strategy: 'equal' }, stepsPerEpoch: 200 });
 */
export function trainLoader(
  data: StudyData,
  tasks: readonly string[],
  batchSize: number,
  seed: number,
  o: { mixing?: Mixing; stepsPerEpoch?: number } = {},
): MultiTaskLoader | MixedTaskLoader {
  const sources = sourcesFor(data.train, tasks);
  const names = Object.keys(sources);
  if (names.length === 1 && o.stepsPerEpoch === undefined)
    return new MultiTaskLoader(sources[names[0]!]!, { batchSize, shuffle: true, seed });
  return new MixedTaskLoader(sources, {
    batchSize,
    mixing: o.mixing ?? data.mixing,
    seed,
    ...(o.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: o.stepsPerEpoch }),
  });
}

/**
 * Every test batch of every source, in order (a fresh pass per call).
 *
 * @example
 * evaluateTasks(model, tasks, testBatches(data));
 */
export function* testBatches(data: StudyData, batchSize = 256): Generator<MultiTaskBatch> {
  for (const ds of Object.values(data.test)) yield* new MultiTaskLoader(ds, { batchSize, seed: 0 });
}

/**
 * Every validation batch of the sources holding any of `tasks`, in order (a fresh pass per call).
 *
 * @example
 * summedTaskLoss(model, tasks, validationBatches(data, ['left']));
 */
export function* validationBatches(
  data: StudyData,
  tasks: readonly string[],
  batchSize = 256,
): Generator<MultiTaskBatch> {
  for (const ds of Object.values(sourcesFor(data.val, tasks))) yield* new MultiTaskLoader(ds, { batchSize, seed: 0 });
}

/**
 * The per-sample input shape every source shares, or an error naming the sources when they differ
 * (the study's trunk reads one shape).
 *
 * @example
 * inputShape(data); // [1, 28, 28]
 */
export function inputShape(data: StudyData): readonly number[] {
  const entries = Object.entries(data.train);
  const [first, ds] = entries[0]!;
  for (const [name, other] of entries.slice(1)) {
    const a = ds.featureShape;
    const b = other.featureShape;
    if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
      throw new ValueError(
        `dataset ${data.name}`,
        `source '${first}' has inputs [${a.join(',')}] and '${name}' [${b.join(',')}]; the study's shared trunk needs one input shape`,
      );
    }
  }
  return ds.featureShape;
}
