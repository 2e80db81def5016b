/**
 * The studies' loaders as a long-lived process (`polytask worker`) meets them: the multi-task
 * study's task description and the end-to-end study's YAML case are loaded once per config while
 * their files are unchanged, and loaded again, with the new values, once a file they read was
 * rewritten (study/once-per-config.ts, keyed by the config and the files' size and mtime).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadE2eStudy } from '../../src/endtoend/study-load.js';
import { parseE2eConfig } from '../../src/endtoend/config.js';
import { loadStudyData } from '../../src/multitask/study/data.js';
import { parseStudyConfig } from '../../src/multitask/study/config.js';
import { withTempDir } from '../cli/helpers.js';

/** A CSV of `n` rows: x1, x2 = i·scale, -i·scale; y alternates 0, 1. */
function table(n: number, scale: number): string {
  const rows = Array.from({ length: n }, (_, i) => `${i * scale},${-i * scale},${i % 2}`);
  return `x1,x2,y\n${rows.join('\n')}\n`;
}

/** Writes `text` to `file` with a modification time `s` seconds into 2024. */
function write(file: string, text: string, s: number): void {
  writeFileSync(file, text);
  const t = new Date(Date.UTC(2024, 0, 1, 0, 0, s));
  utimesSync(file, t, t);
}

const sum = (a: Float32Array): number => a.reduce((s, v) => s + v, 0);

test('the mtl study data: loaded once while unchanged, again with the new values after an edit', () =>
  withTempDir(async (dir) => {
    const csv = join(dir, 't.csv');
    write(csv, table(40, 1), 0);
    const tasks = join(dir, 'tasks.yaml');
    write(
      tasks,
      'input: { source: csv, file: t.csv, label: y }\ntasks:\n  y: { kind: binary, targets: { file: t.csv, column: y } }\n',
      0,
    );
    const config = parseStudyConfig({ dataset: tasks, validation: 0 });
    const first = await loadStudyData(config);
    assert.deepEqual([...first.files].sort(), [csv, tasks].sort());
    assert.equal(await loadStudyData(parseStudyConfig({ dataset: tasks, validation: 0 })), first);
    const before = sum(first.train.shared!.features as Float32Array) + sum(first.test.shared!.features as Float32Array);
    assert.equal(before, 0); // x1 + x2 = 0 on every row

    write(csv, table(40, 1).replace('x1,x2,y\n0,0,0', 'x1,x2,y\n5,0,0'), 7);
    const second = await loadStudyData(config);
    assert.notEqual(second, first);
    const after =
      sum(second.train.shared!.features as Float32Array) + sum(second.test.shared!.features as Float32Array);
    assert.equal(after, 5);
    assert.equal(await loadStudyData(config), second);
  }));

test('the e2e study: a YAML case loaded once while unchanged, again with the new values after an edit', () =>
  withTempDir(async (dir) => {
    const csv = join(dir, 'xy.csv');
    write(csv, table(60, 1), 0);
    const file = join(dir, 'case.yaml');
    const data = `{ source: csv, file: ${JSON.stringify(csv)}, label: y }`;
    write(
      file,
      `name: echo\ndata: ${data}\nstages:\n  - { name: classifier, data: ${data}, model: { arch: mlp, hidden: [4] } }\nendToEnd: { arch: mlp, hidden: [4] }\n`,
      0,
    );
    const config = parseE2eConfig({ case: file, sizes: [4, 8], testExamples: 5 });
    const first = await loadE2eStudy(config);
    assert.deepEqual([...new Set(first.inputs.files)].sort(), [csv, file].sort());
    assert.equal(await loadE2eStudy(parseE2eConfig({ case: file, sizes: [4, 8], testExamples: 5 })), first);
    const scale = (l: typeof first): number => {
      const x = l.setup.test.features as Float32Array;
      return Math.max(...Array.from(x, Math.abs));
    };
    assert.ok(scale(first) < 60);

    write(csv, table(60, 100), 9);
    const second = await loadE2eStudy(config);
    assert.notEqual(second, first);
    assert.ok(scale(second) >= 100, `test examples from the rewritten file: max |x| ${scale(second)}`);
    assert.equal(await loadE2eStudy(config), second);
  }));
