/**
 * WAV clips as a source: `dir` with one folder per class of `.wav` files, or `file`, a CSV with a
 * `file` column (paths relative to the CSV's folder) and a `label` column. Every clip becomes one
 * mono waveform of `sampleRate · seconds` samples (audio/wav.ts), an example of shape
 * [1, samples]: the input of a raw-waveform 1-D CNN (`model: { arch: audio }`).
 *
 * @example
 * const d = await loadData({ source: 'audio', dir: 'words', sampleRate: 8000, seconds: 1, normalize: 'peak', testFraction: 0.2 }, 0);
 * d.featureShape; // [1, 8000]
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { FormatError, ValueError } from '../../core/errors.js';
import { snippet } from '../../io/untrusted.js';
import { clipLength, readClip } from '../audio/wav.js';
import { classesOf, scanClassFolders, WAV_FILES } from '../class-folders.js';
import { parseRecords } from '../csv.js';
import { CSV_BYTES_PER_BYTE, checkAllocation, checkFileSize, readLimits } from '../read-limits.js';
import type { Pool } from './pool.js';
import type { AudioDataConfig } from './schema.js';

/** The clips a CSV lists: `file,label` rows, paths relative to the CSV. */
function listedClips(csv: string): { paths: string[]; labels: Int32Array; classNames: string[] } {
  checkFileSize(csv, readLimits(), CSV_BYTES_PER_BYTE, 'a CSV file');
  let text: Buffer;
  try {
    text = fs.readFileSync(csv);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ValueError(csv, 'no such file');
    throw new FormatError(csv, `not valid CSV (${snippet((err as Error).message, 120)})`);
  }
  const records = parseRecords(text, csv);
  const header = records[0]?.record ?? [];
  const f = header.indexOf('file');
  const l = header.indexOf('label');
  if (f < 0 || l < 0)
    throw new FormatError(
      csv,
      `expected a header with columns "file" and "label", got ${
        header
          .slice(0, 6)
          .map((h) => `"${snippet(h, 20)}"`)
          .join(', ') || 'none'
      }`,
    );
  const paths: string[] = [];
  const values: string[] = [];
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r]!;
    const at = `row ${r} (line ${info.lines})`;
    if (record.length !== header.length)
      throw new FormatError(csv, `${at} has ${record.length} fields, the header has ${header.length}`);
    if (record[f] === '' || record[l] === '')
      throw new FormatError(csv, `${at}: empty ${record[f] === '' ? 'file' : 'label'}`);
    const clip = path.resolve(path.dirname(csv), record[f]!);
    // a listed clip that is not there is named now, before the split and its checks
    if (!fs.statSync(clip, { throwIfNoEntry: false })?.isFile())
      throw new FormatError(csv, `${at}: ${snippet(record[f]!, 80)}: no such file`);
    paths.push(clip);
    values.push(record[l]!);
  }
  if (paths.length === 0) throw new FormatError(csv, 'lists no clip (only a header, or empty)');
  const { classNames, labels } = classesOf(values);
  return { paths, labels, classNames };
}

/** The clips of an audio config; each is read when its row is. */
export function audioPool(d: AudioDataConfig): Pool {
  if ((d.file === undefined) === (d.dir === undefined))
    throw new ValueError(
      'data',
      'an audio source takes dir (class folders of .wav files) or file (a CSV of file,label), one of them',
    );
  let paths: string[];
  let labels: Int32Array;
  let classNames: string[];
  if (d.dir !== undefined) {
    const listed = scanClassFolders(d.dir, WAV_FILES);
    paths = listed.train.map((e) => e.path);
    labels = Int32Array.from(listed.train, (e) => e.label);
    classNames = listed.classNames;
  } else {
    ({ paths, labels, classNames } = listedClips(d.file!));
  }
  const samples = clipLength(d);
  checkAllocation(
    d.dir ?? d.file!,
    paths.length * samples * 4,
    readLimits(),
    `${paths.length} clips of ${samples} float32 samples`,
  );
  return {
    set: {
      labels,
      featureShape: [1, samples],
      rows: (indices) => {
        const out = new Float32Array(indices.length * samples);
        for (let i = 0; i < indices.length; i++) out.set(readClip(paths[indices[i]!]!, d), i * samples);
        return out;
      },
    },
    classNames,
    description: `audio ${d.dir === undefined ? d.file! : `folders ${d.dir}`} at ${d.sampleRate} Hz, ${d.seconds} s`,
    files: d.file === undefined ? paths : [path.resolve(d.file), ...paths],
  };
}
