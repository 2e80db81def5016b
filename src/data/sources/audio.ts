/**
 * WAV clips as a source: `dir` with one folder per class of `.wav` files, or `file`, a CSV with a
 * `file` column (paths relative to the CSV's folder) and a `label` column. Every clip becomes one
 * mono waveform of `sampleRate · seconds` samples (audio/wav.ts), an example of shape
 * [1, samples]: the input of a raw-waveform 1-D CNN (`model: { arch: audio }`); or, with
 * `features: logmel` or `mfcc`, its spectrogram [1, bands, frames] (audio/features.ts, by meyda).
 * `testFile`, a second CSV, is the test split (a speaker-independent test: clips of other voices).
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
import { sizeOf } from '../../core/shape.js';
import { checkFeatureOptions, clipFeatures, featureShapeOf, type FeatureOptions } from '../audio/features.js';
import type { Pool, PoolSet } from './pool.js';
import type { AudioDataConfig } from './schema.js';

/** The clips a CSV lists: `file,label` rows, paths relative to the CSV, with their label values. */
function listedClips(csv: string): { paths: string[]; values: string[] } {
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
  return { paths, values };
}

/** A pool's rows: each clip read when its row is, and turned into the config's features. */
function clipRows(paths: readonly string[], labels: Int32Array, d: AudioDataConfig): PoolSet {
  const samples = clipLength(d);
  const features: FeatureOptions = { ...d, kind: d.features };
  const featureShape = featureShapeOf(features, samples);
  const size = sizeOf(featureShape);
  return {
    labels,
    featureShape,
    rows: (indices) => {
      const out = new Float32Array(indices.length * size);
      for (let i = 0; i < indices.length; i++)
        out.set(clipFeatures(readClip(paths[indices[i]!]!, d), features), i * size);
      return out;
    },
  };
}

/** The clips of an audio config; each is read when its row is. */
export function audioPool(d: AudioDataConfig): Pool {
  if ((d.file === undefined) === (d.dir === undefined))
    throw new ValueError(
      'data',
      'an audio source takes dir (class folders of .wav files) or file (a CSV of file,label), one of them',
    );
  const samples = clipLength(d);
  checkFeatureOptions({ ...d, kind: d.features }, samples, 'data');
  if (d.testFile !== undefined && d.file === undefined)
    throw new ValueError('data.testFile', 'a test CSV goes with file (a CSV of file,label), not with dir');
  let paths: string[];
  let labels: Int32Array;
  let classNames: string[];
  let test: { paths: string[]; labels: Int32Array } | undefined;
  if (d.dir !== undefined) {
    const listed = scanClassFolders(d.dir, WAV_FILES);
    paths = listed.train.map((e) => e.path);
    labels = Int32Array.from(listed.train, (e) => e.label);
    classNames = listed.classNames;
  } else {
    const train = listedClips(d.file!);
    const held = d.testFile === undefined ? undefined : listedClips(d.testFile);
    // one class numbering for both files: the classes of either, in order
    ({ classNames } = classesOf([...train.values, ...(held?.values ?? [])]));
    const index = new Map(classNames.map((c, i) => [c, i]));
    paths = train.paths;
    labels = Int32Array.from(train.values, (v) => index.get(v)!);
    if (held !== undefined) test = { paths: held.paths, labels: Int32Array.from(held.values, (v) => index.get(v)!) };
  }
  const clips = paths.length + (test?.paths.length ?? 0);
  const shape = featureShapeOf({ ...d, kind: d.features }, samples);
  checkAllocation(
    d.dir ?? d.file!,
    clips * Math.max(samples, sizeOf(shape)) * 4,
    readLimits(),
    `${clips} clips of ${samples} float32 samples`,
  );
  const what = d.features === 'waveform' ? '' : `, ${d.features} [${shape.join(',')}]`;
  return {
    set: clipRows(paths, labels, d),
    ...(test === undefined ? {} : { test: clipRows(test.paths, test.labels, d) }),
    classNames,
    description: `audio ${d.dir === undefined ? d.file! : `folders ${d.dir}`} at ${d.sampleRate} Hz, ${d.seconds} s${what}`,
    files:
      d.file === undefined
        ? paths
        : [
            path.resolve(d.file),
            ...(d.testFile === undefined ? [] : [path.resolve(d.testFile)]),
            ...paths,
            ...(test?.paths ?? []),
          ],
  };
}
