/**
 * The transfer study with a masked-language-model source (`source.objective: mlm`,
 * study/mlm-config.ts): BERT-style pre-training of the text architecture's transformer on
 * unlabelled lines, then the study's usual fine-tuning grid on the labelled target text, against
 * scratch.
 *
 * Data: the lines of the corpus (prepared data sets' `unlabelled.txt`, or a file) are shuffled with
 * `source.seed`; the first `testSamples` (at most a tenth) are held out to score the pre-trained
 * model, the next `samples` are pre-trained on. A word vocabulary is built from those training lines
 * alone ([PAD] 0, [UNK] 1, then the words), [MASK] is one more id after it, and the target's text
 * (`target.data`, a text source) is encoded with that vocabulary, so the fine-tuned encoder reads
 * the ids it was pre-trained on.
 *
 * Pre-training: `model` (arch text, encoder transformer) is built with a placeholder head `mlm`
 * (never trained: the target gets a fresh head), and Hugging Face's BertForMaskedLM head
 * (zoo/bert-mlm.ts) is put over its encoder, all initialised as Hugging Face's BERT (N(0, 0.02)); each batch is masked with BERT's recipe (15% of the
 * tokens that are not [PAD] or [UNK]; 80% [MASK], 10% random, 10% kept), cut to its longest line,
 * and the loss is the cross-entropy on the masked positions. A validation split of the training
 * lines, masked once with a fixed seed, gives the loss early stopping watches (best epoch kept).
 * The source accuracy the verdict gates on is the masked-token accuracy on the held-out lines
 * (also masked once), against the frequency baseline: the share of those masked tokens that are
 * the most frequent training word (study/verdict.ts, MLM_ABOVE_FREQUENCY).
 *
 * The saved model (the sub-run's directory, and `source.save`) holds its vocabulary as
 * `tokenizer.json` inside the checkpoint (withMaskToken): `polytask finetune --from` that
 * checkpoint reads its text with it.
 *
 * @example
 * const data = await loadMlmStudyData(config);            // corpus, vocabulary, target text
 * const { record } = await pretrainMlmSource(config, data, { dir });
 * record.maskedAccuracy;                                   // e.g. 0.31
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { ValueError } from '../../core/errors.js';
import { manualSeed, Rng } from '../../core/rng.js';
import { TensorDataset, type ImageSet } from '../../data/index.js';
import { ensurePrepared } from '../../data/prepared/index.js';
import { UNLABELLED_FILE } from '../../data/prepared/text-files.js';
import { checkFileSize, readLimits } from '../../data/read-limits.js';
import { loadData, TOKENIZER_FILE, type DataConfig, type LoadedData } from '../../data/sources/index.js';
import { TextTokenizer } from '../../data/text/tokenizer.js';
import { TextTrunk } from '../../models/text-trunk.js';
import { BertForMaskedLM } from '../../models/zoo/bert-mlm.js';
import { initBertWeights } from '../../models/zoo/bert.js';
import { noGrad, Tensor } from '../../tensor/index.js';
import { maskedBatch, maskTokens } from '../../train/index.js';
import { buildModel } from '../arch/registry.js';
import { textArch } from '../arch/text.js';
import type { ArchDescription } from '../arch/types.js';
import { savePretrained } from '../checkpoint.js';
import { fitAdam } from '../fit.js';
import type { PretrainResult } from '../pretrain.js';
import type { TransferStudyConfig } from './config.js';
import { balancedSubset, smallestClass, type PoolWords, type StudyData } from './data.js';
import type { MlmCorpus, MlmSourceConfig } from './mlm-config.js';
import type { SourceRecord } from './runs.js';

/** The id of [UNK] in a built vocabulary (data/text/tokenizer.ts). */
const UNK_ID = 1;

/** The largest vocabulary a text data config takes (data/sources/schema.ts): every word of a pool fits. */
const MAX_TEXT_VOCABULARY = 1_000_000;

/** The mask entry of the saved vocabulary. */
export const MASK = '[MASK]';

/**
 * The tokenizer.json of `tok`'s vocabulary with `[MASK]` added as one more id (tok.vocabSize): the
 * vocabulary the pre-trained model reads, saved beside its weights, so that a fine-tuning or a
 * prediction from the checkpoint encodes text with the same ids and its size matches the model's
 * embedding table. Text never encodes to [MASK]: the normalizer lower-cases it and the
 * pre-tokenizer splits its brackets off.
 *
 * @example
 * TextTokenizer.fromJson(withMaskToken(tok), 'tokenizer.json').vocabSize; // tok.vocabSize + 1
 */
export function withMaskToken(tok: TextTokenizer): string {
  const json = JSON.parse(tok.json) as { model: { vocab: Record<string, number> } };
  if (Object.hasOwn(json.model.vocab, MASK))
    throw new ValueError('vocabulary', `already holds ${MASK} (id ${json.model.vocab[MASK]})`);
  json.model.vocab[MASK] = tok.vocabSize;
  const text = JSON.stringify(json);
  const again = TextTokenizer.fromJson(text, 'the vocabulary with [MASK]');
  if (again.vocabSize !== tok.vocabSize + 1)
    throw new ValueError('vocabulary', `${MASK} did not become id ${tok.vocabSize}`);
  return text;
}

/** The study's MLM source branch, or undefined for a classification source. */
export function mlmSourceOf(c: TransferStudyConfig): MlmSourceConfig | undefined {
  return 'objective' in c.source && c.source.objective === 'mlm' ? c.source : undefined;
}

/** The lines of one file, empty ones skipped; the file is checked against the read limits first. */
function readLines(file: string): string[] {
  checkFileSize(file, readLimits(), 4, 'an unlabelled text file');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValueError(
      'source.data',
      `${file}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`}`,
    );
  }
  return text.split(/\r?\n/).filter((l) => l.trim() !== '');
}

/**
 * The corpus's lines, the files they came from, and its name in words (prepared data sets are
 * prepared first when missing).
 *
 * @example
 * (await readCorpus({ prepared: ['brown'] })).lines.length; // 22979
 */
export async function readCorpus(d: MlmCorpus): Promise<{ lines: string[]; files: string[]; description: string }> {
  if ('file' in d) {
    const file = path.resolve(d.file);
    return { lines: readLines(file), files: [file], description: `unlabelled lines of ${d.file}` };
  }
  const files: string[] = [];
  const lines: string[] = [];
  for (const name of d.prepared) {
    let dir: string;
    try {
      ({ dir } = await ensurePrepared(name));
    } catch (err) {
      if (err instanceof ValueError) throw new ValueError('source.data.prepared', err.message);
      throw err;
    }
    const file = path.join(dir, UNLABELLED_FILE);
    if (!fs.existsSync(file))
      throw new ValueError(
        'source.data.prepared',
        `prepared data set '${name}' has no ${UNLABELLED_FILE} (not a text data set)`,
      );
    files.push(file);
    lines.push(...readLines(file));
  }
  return { lines, files, description: `unlabelled text of ${d.prepared.join(', ')}` };
}

/** Token ids of `lines` as the study's image sets hold examples: one row of `length` values, label 0. */
function idSet(tok: TextTokenizer, lines: readonly string[], length: number): ImageSet {
  return {
    images: tok.encode(lines, length),
    labels: new Int32Array(lines.length),
    n: lines.length,
    height: 1,
    width: length,
    classNames: ['text'],
  };
}

/**
 * The study's data with an MLM source: corpus lines (training and held-out), the vocabulary built
 * from the training lines, and the target text encoded with it; checked before any training.
 *
 * @example
 * const data = await loadMlmStudyData(resolveStudyConfig({ source: { objective: 'mlm', data: { file: 'lines.txt' } }, target: { data } }));
 * data.text?.maskId; // the tokenizer's size: one id past its vocabulary
 */
export async function loadMlmStudyData(c: TransferStudyConfig): Promise<StudyData> {
  const s = mlmSourceOf(c);
  if (s === undefined) throw new ValueError('source.objective', 'expected mlm');
  const { target } = c;
  if (c.model.arch !== 'text' || c.model.encoder !== 'transformer')
    throw new ValueError(
      'model',
      'an MLM source pre-trains a transformer: set model.arch: text and model.encoder: transformer',
    );
  if (target.data === undefined)
    throw new ValueError('target.data', 'an MLM source needs the target text (target.data: a text data set)');
  const corpus = await readCorpus(s.data);
  const order = new Rng(s.seed).permutation(corpus.lines.length);
  const held = Math.min(s.testSamples, Math.floor(corpus.lines.length / 10));
  const testLines = Array.from(order.subarray(0, held), (i) => corpus.lines[i]!);
  const rest = order.subarray(held);
  const trainLines = Array.from(
    s.samples === 'all' ? rest : rest.subarray(0, Math.min(s.samples, rest.length)),
    (i) => corpus.lines[i]!,
  );
  if (trainLines.length < 10 || testLines.length === 0)
    throw new ValueError(
      'source.data',
      `${corpus.description} has ${corpus.lines.length} non-empty lines: too few to pre-train on (at least 20)`,
    );
  const tok = TextTokenizer.build(trainLines, { lowercase: s.lowercase, minCount: s.minCount, maxSize: s.vocabSize });
  let tgt: LoadedData;
  try {
    tgt = await loadData(target.data, target.splitSeed, { tokenizer: tok });
  } catch (err) {
    if (err instanceof ValueError) throw new ValueError('target.data', err.message);
    throw err;
  }
  if (tgt.tokenizer !== tok)
    throw new ValueError(
      'target.data',
      `${tgt.description} is not text read with the source's vocabulary (a text source without its own tokenizer: file)`,
    );
  const length = tgt.featureShape[0]!;
  const budget = Math.max(...target.budgets);
  const pool: ImageSet = {
    images: tgt.train.features as Float32Array,
    labels: tgt.train.labels as Int32Array,
    n: tgt.train.length,
    height: 1,
    width: length,
    classNames: tgt.classNames,
  };
  const smallest = smallestClass(pool);
  if (smallest.count < budget)
    throw new ValueError(
      'target.budgets',
      `class '${smallest.name}' of ${tgt.description} has ${smallest.count} training examples, fewer than the budget of ${budget} per class`,
    );
  const test: ImageSet = {
    ...pool,
    images: tgt.test.features as Float32Array,
    labels: tgt.test.labels as Int32Array,
    n: tgt.test.length,
  };
  const testOf = (set: ImageSet): ImageSet =>
    target.testSamples === 'rest' || target.testSamples >= set.n
      ? set
      : balancedSubset(set, target.testSamples, target.splitSeed + 1);
  const testSet = testOf(test);
  const wantsWords = Object.values(c.baselines).some((b) => b.vocabulary !== undefined);
  const words = wantsWords ? await poolWords(target.data, target.splitSeed, s.lowercase, pool, testOf) : undefined;
  return {
    direction: 'custom',
    note: `masked-language-model pre-training on ${trainLines.length} lines (${corpus.description}; vocabulary ${tok.vocabSize} words from them); target data: ${tgt.description}`,
    sourceName: corpus.description,
    targetName: tgt.description,
    source: idSet(tok, trainLines, length),
    sourceTest: idSet(tok, testLines, length),
    targetPool: pool,
    targetTest: testSet,
    testOnUnusedPool: false,
    featureShape: [length],
    files: [...corpus.files, ...tgt.files],
    ...(words === undefined ? {} : { words }),
    text: {
      vocabSize: tok.vocabSize + 1,
      padId: tok.padId,
      maskId: tok.vocabSize,
      special: [tok.padId, UNK_ID],
      tokenizer: withMaskToken(tok),
    },
  };
}

/**
 * The target text read again with a vocabulary of every word of its training split (the pool:
 * minimum count 1, no cap below the data's own limit), the rows in the order of `pool` and of
 * the test set `testOf` picks: what a baseline with its own vocabulary builds it from, run by run.
 */
async function poolWords(
  d: DataConfig,
  splitSeed: number,
  lowercase: boolean,
  pool: ImageSet,
  testOf: (set: ImageSet) => ImageSet,
): Promise<PoolWords> {
  const all = { vocabSize: MAX_TEXT_VOCABULARY, minCount: 1, lowercase };
  const config: DataConfig =
    d.source === 'text' ? { ...d, ...all } : d.source === 'prepared' ? { ...d, options: { ...d.options, ...all } } : d;
  let read: LoadedData;
  try {
    read = await loadData(config, splitSeed);
  } catch (err) {
    if (err instanceof ValueError) throw new ValueError('target.data', err.message);
    throw err;
  }
  const tok = read.tokenizer;
  const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
    a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);
  if (tok === undefined || read.featureShape[0] !== pool.width || !same(read.train.labels, pool.labels))
    throw new ValueError(
      'target.data',
      `${read.description}: not the same text rows when read with its own vocabulary`,
    );
  const set = (features: ArrayLike<number>, labels: ArrayLike<number>): ImageSet => ({
    ...pool,
    images: Float32Array.from(features),
    labels: Int32Array.from(labels),
    n: labels.length,
  });
  return {
    pool: set(read.train.features, read.train.labels),
    test: testOf(set(read.test.features, read.test.labels)),
    padId: tok.padId,
  };
}

/** Lines masked once (a fixed seed), as a dataset: features the masked ids, labels the targets [L]. */
function maskedOnce(
  set: TensorDataset,
  text: NonNullable<StudyData['text']>,
  seed: number,
  probability: number,
): TensorDataset {
  const length = set.featureShape[0]!;
  const ids = set.features as Float32Array;
  const m = maskTokens(ids, {
    vocabSize: text.vocabSize,
    maskId: text.maskId,
    special: text.special,
    rng: new Rng(seed),
    probability,
  });
  return new TensorDataset(Float32Array.from(m.inputs), [length], m.labels, [length]);
}

/** The loss of already-masked rows x (float ids) with their labels y. */
function fixedMaskLoss(mlm: BertForMaskedLM, x: Tensor, y: Tensor, padId: number): Tensor {
  const ids = x.toInt();
  const attention = x.ne(padId).toFloat().maximum(firstColumn(x.shape[0]!, x.shape[1]!));
  return mlm.loss(ids, y, { attentionMask: attention });
}

/** [N, L] with 1 in column 0: a line that is all padding still attends to one position. */
function firstColumn(n: number, l: number): Tensor {
  const t = new Float32Array(n * l);
  for (let i = 0; i < n; i++) t[i * l] = 1;
  return new Tensor(t, [n, l]);
}

/**
 * The most frequent ordinary token of `ids` (token ids, rows of any length; [PAD], [UNK] and
 * [MASK] left out): what a model that ignores the context predicts best.
 *
 * @example
 * mostFrequentToken(Float32Array.of(0, 5, 5, 7), [0, 1, 9]); // 5
 */
export function mostFrequentToken(ids: ArrayLike<number>, special: readonly number[]): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!special.includes(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  let best = -1;
  let most = 0;
  // ties go to the smaller id: the same ids always give the same token
  for (const [id, n] of counts) if (n > most || (n === most && id < best)) [best, most] = [id, n];
  if (best < 0) throw new ValueError('mostFrequentToken', 'the lines hold no ordinary token');
  return best;
}

/** The two scores of the masked positions of the held-out lines. */
export interface MaskedScores {
  /** The share whose token the model's argmax predicts. */
  accuracy: number;
  /** The share whose token is `frequent` (the most frequent training token): the context-free baseline. */
  frequency: number;
  /** Masked positions scored. */
  positions: number;
}

/**
 * The masked positions of `set` (masked once with `seed`): the share the model predicts, and the
 * share a model always answering `frequent` predicts (the frequency baseline the source gate
 * compares with, a fairer "chance" than 1/vocabulary: masked tokens are mostly frequent words).
 *
 * @example
 * maskedTokenScores(mlm, data.sourceTest, data.text, 7, 0.15, the); // { accuracy: 0.3, frequency: 0.06, positions: 1520 }
 */
export function maskedTokenScores(
  mlm: BertForMaskedLM,
  set: TensorDataset,
  text: NonNullable<StudyData['text']>,
  seed: number,
  probability: number,
  frequent: number,
): MaskedScores {
  const masked = maskedOnce(set, text, seed, probability);
  mlm.eval();
  let right = 0;
  let common = 0;
  let total = 0;
  noGrad(() => {
    for (let start = 0; start < masked.length; start += 256) {
      const rows = Int32Array.from({ length: Math.min(256, masked.length - start) }, (_, i) => start + i);
      const { x, y } = masked.batch(rows);
      const attention = x.ne(text.padId).toFloat().maximum(firstColumn(x.shape[0]!, x.shape[1]!));
      const { logits, targets } = mlm.maskedLogits(x.toInt(), y, { attentionMask: attention });
      if (targets.size === 0) continue;
      const predicted = logits.argmax(1).data;
      const truth = targets.data;
      for (let i = 0; i < truth.length; i++) {
        if (predicted[i] === truth[i]) right += 1;
        if (truth[i] === frequent) common += 1;
      }
      total += truth.length;
    }
  });
  return total === 0
    ? { accuracy: 0, frequency: 0, positions: 0 }
    : { accuracy: right / total, frequency: common / total, positions: total };
}

/**
 * The share of masked positions of `set` (masked once with `seed`) whose token the model's argmax
 * predicts: the pre-trained model's score on its own task.
 *
 * @example
 * maskedTokenAccuracy(mlm, data.sourceTest, data.text, 7, 0.15); // e.g. 0.3
 */
export function maskedTokenAccuracy(
  mlm: BertForMaskedLM,
  set: TensorDataset,
  text: NonNullable<StudyData['text']>,
  seed: number,
  probability: number,
): number {
  return maskedTokenScores(mlm, set, text, seed, probability, -1).accuracy;
}

/** What an MLM pre-training's record holds besides the classification source's fields. */
export interface MlmSourceRecord extends SourceRecord {
  /** Masked-token accuracy on the held-out lines. */
  maskedAccuracy: number;
  /** The share of those masked positions that hold the most frequent training token (the gate's baseline). */
  frequencyBaseline: number;
}

/**
 * Pre-trains the text model's encoder with masked-language modelling on `data.source`; with `dir`
 * (the sub-run's directory), saves the model (placeholder head included) there.
 *
 * @example
 * const { record, result } = await pretrainMlmSource(c, data, { dir: ctx.dir() });
 */
export async function pretrainMlmSource(
  c: TransferStudyConfig,
  data: StudyData,
  o: {
    signal?: AbortSignal | undefined;
    dir?: string | null | undefined;
    onEpoch?: ((e: { epoch: number; epochs: number; loss: number }) => void) | undefined;
  },
): Promise<{ record: MlmSourceRecord; result: PretrainResult }> {
  const s = mlmSourceOf(c);
  const text = data.text;
  if (s === undefined || text === undefined || c.model.arch !== 'text')
    throw new ValueError('source.objective', 'MLM pre-training needs an mlm source, text data and model.arch: text');
  const { arch: _arch, ...modelConfig } = c.model;
  const length = data.featureShape[0]!;
  const description: ArchDescription = {
    arch: 'text',
    config: textArch.resolve({ ...modelConfig, vocabSize: text.vocabSize, maxLength: length, padId: text.padId }),
    tasks: [{ name: 'mlm', classes: 2 }],
  };
  manualSeed(s.seed);
  const model = buildModel(description);
  const trunk = model.trunk;
  if (!(trunk instanceof TextTrunk) || trunk.bert === null)
    throw new ValueError('model.encoder', 'MLM pre-training needs the transformer encoder');
  const mlm = new BertForMaskedLM(trunk.bert);
  initBertWeights(mlm);
  const all = new TensorDataset(data.source.images, [length], data.source.labels);
  const split = s.validation === 0 ? null : splitLines(all, s.validation, s.seed);
  const train = split?.train ?? all;
  const rng = new Rng(s.seed + 1);
  mlm.train();
  const history = await fitAdam({
    model: mlm,
    params: mlm.parameters(),
    data: train,
    epochs: s.epochs,
    batchSize: s.batchSize,
    lr: s.lr,
    seed: s.seed,
    signal: o.signal,
    loss: (x: Tensor) => {
      const b = maskedBatch(x.data as Float32Array, x.shape[0]!, length, text, rng, s.maskProbability);
      return mlm.loss(b.inputs, b.labels, { attentionMask: b.attention });
    },
    onEpochEnd: (e) => o.onEpoch?.({ epoch: e.epoch, epochs: s.epochs, loss: e.loss }),
    ...(split === null
      ? {}
      : {
          validation: {
            data: maskedOnce(split.val, text, s.seed + 3, s.maskProbability),
            patience: s.patience,
            loss: (x: Tensor, y: Tensor) => fixedMaskLoss(mlm, x, y, text.padId),
          },
        }),
  });
  const test = new TensorDataset(data.sourceTest.images, [length], data.sourceTest.labels);
  const frequent = mostFrequentToken(train.features, [...text.special, text.maskId]);
  const scores = maskedTokenScores(mlm, test, text, s.seed + 4, s.maskProbability, frequent);
  const maskedAccuracy = scores.accuracy;
  const info = {
    data: data.sourceName,
    examples: data.source.n,
    epochs: s.epochs,
    objective: 'mlm',
    maskedAccuracy,
    frequencyBaseline: scores.frequency,
  };
  // the vocabulary travels with the weights: a fine-tuning or prediction from the checkpoint reads it
  const save = {
    epoch: s.epochs,
    source: info,
    ...(text.tokenizer === undefined ? {} : { files: { [TOKENIZER_FILE]: text.tokenizer } }),
  };
  const saved = s.save === undefined ? null : savePretrained(s.save, model, description, save).path;
  if (o.dir !== undefined && o.dir !== null) savePretrained(o.dir, model, description, save);
  const record: MlmSourceRecord = {
    checkpoint: saved,
    losses: history.map((h) => h.loss),
    ...(split === null ? {} : { valLosses: history.map((h) => h.valLoss ?? NaN), stopped: history.length < s.epochs }),
    maskedAccuracy: Number(maskedAccuracy.toFixed(4)),
    frequencyBaseline: Number(scores.frequency.toFixed(4)),
  };
  return { record, result: { model, description, history } };
}

/** A seeded split of lines into training and validation (at least one line each side). */
function splitLines(
  set: TensorDataset,
  fraction: number,
  seed: number,
): { train: TensorDataset; val: TensorDataset } | null {
  const order = new Rng(seed + 2).permutation(set.length);
  const nVal = Math.round(fraction * set.length);
  if (nVal === 0 || nVal === set.length) return null;
  const sorted = (a: Int32Array): Int32Array => Int32Array.from(a).sort();
  return { val: set.subset(sorted(order.subarray(0, nVal))), train: set.subset(sorted(order.subarray(nVal))) };
}
