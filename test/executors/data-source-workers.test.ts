/**
 * The multi-task study on a task description whose input is a data source (`source: csv`, read by
 * the async readers) rather than a file of arrays: trained by 2 worker processes (`--workers 2`),
 * each loading the description itself, it gives the local study's sub-run records, result and
 * verdict. Until the workers loaded data as the study does, each refused such an input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { polytask, withTempDir } from '../cli/helpers.js';
import { assertSame, ONE_THREAD, outcome } from './study-helpers.js';

/** 160 rows of 4 features; `a` is x1 + x2 > 0, `b` is x3 > x4 with every fifth label unknown ("?"). */
function table(): string {
  const rows = ['x1,x2,x3,x4,a,b'];
  for (let i = 0; i < 160; i++) {
    const x = [0, 1, 2, 3].map((k) => Math.sin(i * 1.7 + k * 2.3) + 0.3 * Math.cos(i * 0.37 * (k + 1)));
    const a = x[0]! + x[1]! > 0 ? 1 : 0;
    const b = i % 5 === 0 ? '?' : x[2]! > x[3]! ? '1' : '0';
    rows.push(`${x.map((v) => v.toFixed(4)).join(',')},${a},${b}`);
  }
  return `${rows.join('\n')}\n`;
}

const DESCRIPTION = `input: { source: csv, file: t.csv, label: a, ignore: [b] }
tasks:
  a: { kind: binary, targets: { file: t.csv, column: a } }
  b: { kind: binary, targets: { file: t.csv, column: b } }
split: { testFraction: 0.25, seed: 0 }
`;

test(
  "a task description with a CSV data source: 2 worker processes give the local study's records",
  { timeout: 120_000 },
  () =>
    withTempDir(async (dir) => {
      writeFileSync(join(dir, 't.csv'), table());
      const tasks = join(dir, 'tasks.yaml');
      writeFileSync(tasks, DESCRIPTION);
      const study = [
        ...['study', 'mtl', '--dataset', tasks, '--methods', 'ew', '--epochs', '2', '--seeds', '0'],
        ...['--set', 'batchSize=16', '--set', 'trunk.width=4', '--set', 'capacityCheck=false'],
        ...['--no-report', '--json'],
      ];
      const want = outcome(await polytask(study, { runsDir: join(dir, 'local'), env: ONE_THREAD }), 'mtl');
      const ran = await polytask([...study, '--workers', '2'], { runsDir: join(dir, 'workers'), env: ONE_THREAD });
      assert.doesNotMatch(ran.stderr, /file inputs only/);
      const got = outcome(ran, 'mtl');
      assertSame(got, want, 3);
      assert.ok(
        Object.values(got.workers).every((w) => /^.+:\d+$/.test(w)),
        `every sub-run on a worker process: ${JSON.stringify(got.workers)}`,
      );
      // the study learned something from the table: a's accuracy is above chance
      const result = want.result as { results: { single: { a: { binaryAccuracy: number } } } };
      assert.ok(result.results.single.a.binaryAccuracy > 0.6, JSON.stringify(result.results.single));
    }),
);
