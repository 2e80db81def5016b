/**
 * Text made for the MLM tests: a corpus of windows of a cycle of 24 words (a masked word is fixed by
 * its neighbours: a planted truth pre-training must learn), and a target that tells windows from the
 * first half of the cycle from the second; and the tiny MLM study over them.
 *
 * @example
 * const files = writeText(dir);
 * await runTransferStudy(tinyStudy(files));
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import type { TransferStudyInput } from '../../src/transfer/study/config.js';

export const WORDS = Array.from({ length: 24 }, (_, i) => `w${String.fromCharCode(97 + i)}`);

/** A window of `n` words of the cycle from `start`. */
export const windowAt = (start: number, n: number): string =>
  Array.from({ length: n }, (_, i) => WORDS[(start + i) % WORDS.length]!).join(' ');

/** The corpus (lines.txt) and the target's train and test tables in `dir`. */
export function writeText(dir: string): { corpus: string; train: string; test: string } {
  const rng = new Rng(5);
  const corpus = join(dir, 'lines.txt');
  writeFileSync(corpus, Array.from({ length: 400 }, () => windowAt(rng.int(24), 6)).join('\n') + '\n');
  const table = (n: number): string =>
    'text,label\n' +
    Array.from({ length: n }, (_, i) => {
      const first = i % 2 === 0;
      return `${windowAt((first ? 0 : 12) + rng.int(10), 4)},${first ? 'first' : 'second'}`;
    }).join('\n') +
    '\n';
  const train = join(dir, 'train.csv');
  const testFile = join(dir, 'test.csv');
  writeFileSync(train, table(40));
  writeFileSync(testFile, table(40));
  return { corpus, train, test: testFile };
}

export function tinyStudy(files: { corpus: string; train: string; test: string }): TransferStudyInput {
  return {
    model: { arch: 'text', encoder: 'transformer', embedDim: 32, layers: 1, heads: 2 },
    source: {
      objective: 'mlm',
      data: { file: files.corpus },
      samples: 'all',
      testSamples: 40,
      epochs: 20,
      batchSize: 16,
      lr: 0.003,
      patience: 20,
      vocabSize: 100,
      minCount: 1,
    },
    target: {
      data: {
        source: 'text',
        file: files.train,
        testFile: files.test,
        textColumn: 'text',
        label: 'label',
        maxLength: 8,
      },
      budgets: [4],
      testSamples: 'rest',
    },
    fineTune: { strategies: ['scratch', 'full'], seeds: [0, 1], minEpochs: 3, epochBudget: 12, batchSize: 8 },
  };
}

/**
 * A target whose label is one word the corpus never holds (`qqfirst` or `qqsecond` after a window
 * from anywhere in the cycle, which says nothing of the class): read with the corpus's vocabulary
 * both are [UNK], so only a model with a vocabulary of its own can tell the classes. Every test
 * row also holds `zztestonly`, a word of no training row. Written as train.csv and test.csv in `dir`.
 */
export function writePlanted(dir: string): { corpus: string; train: string; test: string } {
  const files = writeText(dir);
  const rng = new Rng(9);
  const table = (n: number, extra: string): string =>
    'text,label\n' +
    Array.from({ length: n }, (_, i) => {
      const first = i % 2 === 0;
      return `${first ? 'qqfirst' : 'qqsecond'} ${windowAt(rng.int(24), 3)}${extra},${first ? 'first' : 'second'}`;
    }).join('\n') +
    '\n';
  writeFileSync(files.train, table(40, ''));
  writeFileSync(files.test, table(40, ' zztestonly'));
  return files;
}
