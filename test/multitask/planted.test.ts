/**
 * Planted truths for the multi-task study's verdict, with real (tiny) training on the 1,000 real
 * 8×8 digits of examples/digits-tasks (sklearn's, CC BY 4.0), each through the whole study (a
 * validation split, early stopping, single-task and equal-capacity baselines, the paired interval):
 * - the digit paired with a task of random labels: never `helps` (nothing can be learnt about the
 *   noise task, and the shared trunk spends itself on memorising it); the verdict names the task
 *   its own model does not learn;
 * - the digit paired with a copy of itself: sharing one network of the same total size cannot
 *   lose against two half-size networks, so never `hurts`; its headline is that equal-capacity
 *   comparison, and its Δm is the mean of the per-seed Δm the records give;
 * - the same pair stopped after two epochs, while every validation loss still falls:
 *   `inconclusive: under-trained`, with the measured share of runs still improving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import { runMtlStudy } from '../../src/multitask/index.js';
import { verdictText } from '../../src/study/index.js';

const DIGITS = new URL('../../../examples/digits-tasks/digits.csv', import.meta.url);

/** The digits table with two more label columns: `noise` (random 0..9) and `copy` (the digit). */
function writeTable(dir: string): string {
  const [header, ...lines] = readFileSync(DIGITS, 'utf8').trim().split('\n');
  const digit = header!.split(',').indexOf('digit');
  const rng = new Rng(11);
  const rows = lines.map((l) => {
    const cells = l.split(',');
    return [...cells.slice(0, 64), cells[digit], Math.floor(rng.uniform() * 10), cells[digit]].join(',');
  });
  const head = [...Array.from({ length: 64 }, (_, j) => `p${j}`), 'digit', 'noise', 'copy'].join(',');
  const file = join(dir, 'digits.csv');
  writeFileSync(file, [head, ...rows].join('\n') + '\n');
  return file;
}

/** A task description: the digit and `other` (a column of the table) on the 64 pixels. */
function describe(dir: string, other: 'noise' | 'copy'): string {
  const file = join(dir, `${other}.yaml`);
  writeFileSync(
    file,
    [
      'input:',
      '  file: digits.csv',
      '  exclude: [digit, noise, copy]',
      '  scale: 0.0625',
      'tasks:',
      '  digit:',
      '    kind: multiclass',
      '    classes: 10',
      '    targets: { file: digits.csv, column: digit }',
      `  ${other}:`,
      '    kind: multiclass',
      '    classes: 10',
      `    targets: { file: digits.csv, column: ${other} }`,
      'split: { testFraction: 0.3, seed: 0 }',
      '',
    ].join('\n'),
  );
  return file;
}

const study = (dataset: string, epochs = 200) =>
  runMtlStudy({
    dataset,
    methods: ['ew'],
    epochs,
    patience: 5,
    lr: 3e-3,
    seeds: [0, 1, 2],
    trunk: { width: 4 },
    affinity: { every: 0 },
  });

test('planted truths, multi-task with real training: a random-label partner never helps, a duplicated task never hurts, two epochs are under-trained', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-mtl-planted-'));
  try {
    writeTable(dir);
    const noise = (await study(describe(dir, 'noise'))).verdict;
    const said = verdictText(noise).join('\n');
    assert.notEqual(noise.outcome, 'helps', said);
    assert.equal(noise.outcome, 'inconclusive', said);
    assert.equal(noise.because, 'a task is not learnt', said);
    const learnt = noise.reasons.find((r) => r.check === 'tasks learnt')!;
    assert.ok(!learnt.passed && /noise/.test(learnt.detail) && !/digit /.test(learnt.detail), learnt.detail);

    const copy = (await study(describe(dir, 'copy'))).verdict;
    const saidCopy = verdictText(copy).join('\n');
    assert.notEqual(copy.outcome, 'hurts', saidCopy);
    assert.ok(copy.outcome === 'helps' || copy.outcome === 'no-difference', saidCopy);
    assert.ok(copy.reasons.find((r) => r.check === 'converged')!.passed, saidCopy);
    assert.equal(copy.effect!.of, "ew's Δm against single-task models of equal capacity", saidCopy);

    const short = (await study(describe(dir, 'copy'), 2)).verdict;
    const saidShort = verdictText(short).join('\n');
    assert.equal(short.outcome, 'inconclusive', saidShort);
    assert.equal(short.because, 'under-trained', saidShort);
    const conv = short.reasons.find((r) => r.check === 'converged')!;
    assert.ok(!conv.passed && typeof conv.value === 'number' && conv.value > 0.25, conv.detail);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
