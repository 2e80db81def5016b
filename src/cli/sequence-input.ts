/**
 * What `predict` feeds a text or audio run's model: new examples prepared exactly as the run's
 * training examples were. Text: the lines of a `.txt` file, or the run's text column of a CSV,
 * TSV or JSONL file, encoded by the tokenizer saved in the run (`tokenizer.json`) and cut or padded
 * to the model's length. Audio: a `.wav` file, or every `.wav` under a folder (sorted by path),
 * read at the run's sample rate, length and normalisation.
 *
 * @example
 * const input = sequenceInput(pre.description, runDir, storedConfig, 'new-reviews.txt');
 * input?.x.shape; // [lines, maxLength]
 */
import * as fs from 'node:fs';
import { extname, join } from 'node:path';
import { readClip } from '../data/audio/wav.js';
import { dataSchema, TOKENIZER_FILE } from '../data/sources/index.js';
import { readTokenizer } from '../data/sources/text.js';
import { readTextLines, readTextTable } from '../data/text/read.js';
import { Tensor } from '../tensor/index.js';
import { inputShapeOf } from '../transfer/arch/registry.js';
import type { ArchDescription } from '../transfer/arch/types.js';
import { CliError } from './errors.js';

/** Prepared examples, and the file each came from when there are several. */
export interface SequenceInput {
  x: Tensor;
  /** For audio: the clip of each row. */
  files?: string[];
}

/** Every .wav file under `dir`, sorted. */
function wavFiles(dir: string): string[] {
  const found = (fs.readdirSync(dir, { recursive: true }) as string[])
    .map(String)
    .filter((p) => extname(p).toLowerCase() === '.wav' && !p.split(/[\\/]/).some((part) => part.startsWith('.')))
    .sort()
    .map((p) => join(dir, p));
  if (found.length === 0) throw new CliError(`${dir}: holds no .wav file`);
  return found;
}

/** The run's data config, its defaults filled in (sample rate, text column, ...). */
function runData(stored: unknown, source: string): Record<string, unknown> {
  const data = (stored as { data?: unknown } | null)?.data;
  const parsed = dataSchema.safeParse(data);
  if (!parsed.success || parsed.data.source !== source)
    throw new CliError(`the run's config has no ${source} data section to read new examples the way it was trained`);
  return parsed.data as Record<string, unknown>;
}

/**
 * New examples for a text or audio model, or null when the model is neither.
 *
 * @example
 * sequenceInput(description, run.dir, readRunConfig(run.dir), 'clips/');
 */
export function sequenceInput(
  description: ArchDescription,
  runDir: string,
  stored: unknown,
  input: string,
): SequenceInput | null {
  if (description.arch === 'text') {
    const [maxLength] = inputShapeOf(description) as [number];
    const data = runData(stored, 'text');
    const saved = join(runDir, TOKENIZER_FILE);
    const tokenizer = readTokenizer(fs.existsSync(saved) ? saved : String(data.tokenizer ?? saved));
    const ext = extname(input).toLowerCase();
    const texts = ['.csv', '.tsv', '.jsonl', '.ndjson'].includes(ext)
      ? readTextTable(input, String(data.textColumn)).texts
      : readTextLines(input);
    return { x: new Tensor(tokenizer.encode(texts, maxLength), [texts.length, maxLength]) };
  }
  if (description.arch === 'audio') {
    const [channels, samples] = inputShapeOf(description) as [number, number];
    const data = runData(stored, 'audio');
    const clip = {
      sampleRate: Number(data.sampleRate),
      seconds: Number(data.seconds),
      normalize: data.normalize as 'peak' | 'none',
    };
    const files = fs.existsSync(input) && fs.statSync(input).isDirectory() ? wavFiles(input) : [input];
    const x = new Float32Array(files.length * samples);
    files.forEach((f, i) => {
      const c = readClip(f, clip);
      if (c.length !== samples) throw new CliError(`${f}: read as ${c.length} samples, the model takes ${samples}`);
      x.set(c, i * samples);
    });
    return { x: new Tensor(x, [files.length, channels, samples]), files };
  }
  return null;
}
