/**
 * The data-source inputs of a task description (`input: { source: prepared, name: wordnet }`,
 * `{ source: text, file: … }`, `{ source: mnist }`), read as rows of features. Three things make
 * text sources work as multi-task inputs:
 * - one vocabulary for every text input (learnt from the training rows of all of them), so a
 *   token id means the same word in every source and one embedding serves every task;
 * - a source's own test table (a prepared view's `testFile`) stays its test split: its rows come
 *   after the main set's and `testStart` says where (descriptionData splits there);
 * - `tables`: the input's own CSV files, so targets may name one of their columns
 *   (`targets: { column: supersense }`).
 *
 * @example
 * const { inputs, tokenizer } = await readSourceInputs([[['input'], { source: 'prepared', name: 'wordnet' }]], ctx, split);
 * inputs.get('input')!.data.rowShape; // [32]
 */
import path from 'node:path';
import { ConfigError } from '../../config/index.js';
import { PolytaskError } from '../../core/errors.js';
import { sizeOf } from '../../core/shape.js';
import { trainTestSplit } from '../../data/index.js';
import { ensurePrepared, viewData } from '../../data/prepared/index.js';
import { poolOf } from '../../data/sources/load.js';
import type { Pool } from '../../data/sources/pool.js';
import { dataSourcesSchema, type DataConfig } from '../../data/sources/schema.js';
import { TextTokenizer } from '../../data/text/tokenizer.js';
import type { ArrayData, ReadContext } from './read-array.js';
import { recordFrom } from '../../core/safe-keys.js';

/** An input's samples, how errors name it, and the files it came from. */
export interface Input {
  data: ArrayData;
  ref: string;
  files: readonly string[];
  /** The row where the source's own test split starts (rows before it are its main set). */
  testStart?: number;
  /** Text tables: the CSV/JSONL files whose rows are the samples, in order (main, then test). */
  tables?: readonly string[];
}

/** Keys of a data source that name files or folders: resolved against the description's folder. */
const SOURCE_PATHS = [
  'file',
  'testFile',
  'features',
  'labels',
  'images',
  'testImages',
  'testFeatures',
  'testLabels',
  'dir',
  'tokenizer',
];

/** A source and what reading it found, before its rows are read. */
interface Opened {
  at: readonly PropertyKey[];
  ref: DataConfig;
  pool: Pool;
  tables?: string[];
}

/** The text table files behind `ref` (a text source, or a prepared view of one), in row order. */
async function tablesOf(ref: DataConfig): Promise<string[] | undefined> {
  let d: unknown = ref;
  if (ref.source === 'prepared') {
    const { dir, manifest } = await ensurePrepared(ref.name);
    d = dataSourcesSchema.safeParse({ ...viewData(dir, manifest, ref.view), ...(ref.options ?? {}) }).data;
  }
  const text = d as DataConfig | undefined;
  if (text?.source !== 'text' || text.file === undefined) return undefined;
  return text.testFile === undefined ? [text.file] : [text.file, text.testFile];
}

async function open(ref: DataConfig, at: readonly PropertyKey[], ctx: ReadContext): Promise<Opened> {
  for (const key of ['classes', 'limit'] as const)
    if (ref[key] !== undefined)
      throw new ConfigError(
        ctx.file,
        [...at, key],
        JSON.stringify(ref[key]),
        'nothing: an input gives every sample of its source (leave labels out in the targets instead)',
      );
  const resolved = recordFrom(
    Object.entries(ref).map(([k, v]) => [
      k,
      SOURCE_PATHS.includes(k) && typeof v === 'string' ? path.resolve(ctx.dir, v) : v,
    ]),
  ) as DataConfig;
  try {
    const pool = await poolOf(resolved);
    const tables = await tablesOf(resolved);
    return { at, ref: resolved, pool, ...(tables === undefined ? {} : { tables }) };
  } catch (e) {
    if (!(e instanceof PolytaskError)) throw e;
    throw new ConfigError(
      ctx.file,
      at,
      `source ${ref.source}, which cannot be read (${e.message})`,
      'a readable data source',
    );
  }
}

/** The rows a source learns from: its main set when it has its own test split, else the description's split. */
function trainRows(pool: Pool, split: { testFraction: number; seed: number }): Int32Array {
  const n = pool.set.labels.length;
  if (pool.test !== undefined) return Int32Array.from({ length: n }, (_, i) => i);
  return Int32Array.from(trainTestSplit(n, split).train);
}

/**
 * Chooses every text source's tokenizer: one vocabulary learnt from the training rows of all of
 * them (with the first one's vocabulary options) when there are several, else the source's own.
 */
function fitText(opened: readonly Opened[], split: { testFraction: number; seed: number }): TextTokenizer | undefined {
  const text = opened.filter((o) => o.pool.fit !== undefined);
  if (text.length === 0) return undefined;
  const sharing = text.filter((o) => o.pool.vocabulary !== undefined);
  const shared =
    sharing.length > 1
      ? TextTokenizer.build(
          sharing.flatMap((o) => o.pool.vocabulary!.texts(trainRows(o.pool, split))),
          sharing[0]!.pool.vocabulary!.options,
        )
      : undefined;
  let last: TextTokenizer | undefined;
  for (const o of text) last = o.pool.fit!(trainRows(o.pool, split), shared);
  return shared ?? (text.length === 1 ? last : undefined);
}

/** The features of an opened source as rows: its main set, then its own test split when it has one. */
async function rowsOf(o: Opened): Promise<Input> {
  const { pool } = o;
  const sets = pool.test === undefined ? [pool.set] : [pool.set, pool.test];
  const rows = sets.reduce((n, s) => n + s.labels.length, 0);
  const values = new Float32Array(rows * sizeOf(pool.set.featureShape));
  let offset = 0;
  for (const s of sets) {
    const part = await s.rows(Int32Array.from({ length: s.labels.length }, (_, i) => i));
    values.set(part, offset);
    offset += part.length;
  }
  return {
    data: { values, rows, rowShape: [...pool.set.featureShape], path: pool.description },
    ref: `source ${o.ref.source}`,
    files: pool.files,
    ...(pool.test === undefined ? {} : { testStart: pool.set.labels.length }),
    ...(o.tables === undefined ? {} : { tables: o.tables }),
  };
}

/**
 * Reads the data-source inputs at `refs` (their place in the description, and the source), keyed
 * by that place joined with '.'; the shared tokenizer when text sources share one (or the one text
 * source's own).
 *
 * @example
 * (await readSourceInputs(refs, ctx, { testFraction: 0.2, seed: 0 })).inputs.get('tasks.genre.input');
 */
export async function readSourceInputs(
  refs: readonly [readonly PropertyKey[], DataConfig][],
  ctx: ReadContext,
  split: { testFraction: number; seed: number },
): Promise<{ inputs: Map<string, Input>; tokenizer?: TextTokenizer }> {
  const opened: Opened[] = [];
  for (const [at, ref] of refs) opened.push(await open(ref, at, ctx));
  const tokenizer = fitText(opened, split);
  const inputs = new Map<string, Input>();
  for (const o of opened) inputs.set(o.at.join('.'), await rowsOf(o));
  return { inputs, ...(tokenizer === undefined ? {} : { tokenizer }) };
}
