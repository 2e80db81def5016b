import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { trainTestSplit } from '../../src/data/index.js';
import { polytask, withTempDir, stepsLogged } from './helpers.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/digits-tasks.yaml', import.meta.url));

/** A seeded stream of numbers in [0, 1). */
function stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const N = 200;
const SPLIT = { testFraction: 0.25, seed: 0 };

interface Planted {
  x: [number, number][];
  side: string[];
  inTest: Set<number>;
}

/**
 * A tiny table with planted answers: `side` is "left"/"right" by the sign of x0 (every third label
 * "?"), `up` is x1 > 0 with every test-split label missing, `level` is x0 + x1.
 */
function writeTiny(dir: string): Planted {
  const rand = stream(7);
  const x = Array.from({ length: N }, (): [number, number] => [rand() * 2 - 1, rand() * 2 - 1]);
  const side = x.map(([a]) => (a < 0 ? 'left' : 'right'));
  const inTest = new Set(trainTestSplit(N, SPLIT).test);
  const rows = x.map(([a, b], i) => {
    const s = i % 3 === 0 ? '?' : side[i]!;
    const up = inTest.has(i) ? (i % 2 === 0 ? 'NA' : '') : b > 0 ? '1' : '0';
    return `${a.toFixed(4)},${b.toFixed(4)},${s},${up},${(a + b).toFixed(4)}`;
  });
  writeFileSync(join(dir, 'table.csv'), ['x0,x1,side,up,level', ...rows].join('\n') + '\n');
  writeFileSync(
    join(dir, 'tasks.yaml'),
    [
      'input: { file: table.csv, columns: [x0, x1] }',
      'tasks:',
      '  side: { kind: multiclass, targets: { file: table.csv, column: side } }',
      '  up: { kind: binary, targets: { file: table.csv, column: up } }',
      '  level: { kind: regression, targets: { file: table.csv, column: level } }',
      `split: { testFraction: ${SPLIT.testFraction}, seed: ${SPLIT.seed} }`,
      '',
    ].join('\n'),
  );
  return { x, side, inTest };
}

interface TaskReport {
  labelled: number;
  metrics: Record<string, number>;
}

const TRAIN = ['--epochs', '25', '--batch-size', '16', '--lr', '0.01', '--set', 'model.width=4', '--no-report'];

test(
  'train --tasks, eval and predict: per-task metrics over present labels, one prediction column per task',
  { timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      const planted = writeTiny(dir);
      const trained = await polytask(['train', '--tasks', 'tasks.yaml', '--method', 'ew', ...TRAIN, '--json'], {
        runsDir,
        cwd: dir,
      });
      assert.equal(trained.code, 0, trained.stderr);
      const done = JSON.parse(trained.stdout) as {
        run: string;
        status: string;
        steps: number;
        tasks: Record<string, TaskReport>;
      };
      assert.equal(done.status, 'completed');
      assert.equal(done.steps, 25 * Math.ceil(150 / 16));
      // labelled test samples, known by construction: side's "?" rows and every "up" label are left out
      const test = [...planted.inTest];
      assert.equal(done.tasks.side!.labelled, test.filter((i) => i % 3 !== 0).length);
      assert.equal(done.tasks.up!.labelled, 0);
      assert.deepEqual(done.tasks.up!.metrics, {});
      assert.equal(done.tasks.level!.labelled, test.length);
      assert.ok(done.tasks.side!.metrics.accuracy! > 0.9, `side accuracy ${done.tasks.side!.metrics.accuracy}`);
      assert.deepEqual(Object.keys(done.tasks.side!.metrics), ['accuracy', 'macroF1']);
      assert.deepEqual(Object.keys(done.tasks.level!.metrics), ['mae', 'rmse']);
      assert.ok(done.tasks.level!.metrics.rmse! >= done.tasks.level!.metrics.mae!);

      const text = await polytask(['eval', done.run], { runsDir });
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /up: no labels in the test split/);
      assert.match(text.stdout, /side: accuracy (1|0\.9\d*), macroF1 /);
      const evaluated = await polytask(['eval', done.run, '--json'], { runsDir });
      const again = JSON.parse(evaluated.stdout) as { tasks: Record<string, TaskReport> };
      assert.deepEqual(again.tasks, done.tasks, 'eval of the final checkpoint reports what training did');

      const out = join(dir, 'predictions.csv');
      const predicted = await polytask(['predict', done.run, '-i', join(dir, 'table.csv'), '-o', out], { runsDir });
      assert.equal(predicted.code, 0, predicted.stderr);
      const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
      assert.equal(rows.length, N);
      assert.deepEqual(Object.keys(rows[0]!), ['index', 'side', 'up', 'level']);
      assert.ok(
        rows.every((r) => r.side === 'left' || r.side === 'right'),
        'class names, not indices',
      );
      assert.ok(rows.every((r) => r.up === '0' || r.up === '1'));
      assert.ok(rows.every((r) => Number.isFinite(Number(r.level))));
      const right = rows.filter((r, i) => r.side === planted.side[i]).length;
      assert.ok(right / N > 0.9, `${right} of ${N} sides right`);
    }),
);

test('a multi-task run stopped by Ctrl-C resumes from its checkpoint and finishes', { timeout: 180_000 }, () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    writeTiny(dir);
    const args = [
      'train',
      '--tasks',
      'tasks.yaml',
      '--method',
      'uw',
      '--epochs',
      '40',
      '--batch-size',
      '4',
      '--set',
      'model.width=16',
      '--no-report',
    ];
    const stopped = await polytask(args, {
      runsDir,
      cwd: dir,
      onSpawn: (child) => {
        void (async () => {
          while (!existsSync(runsDir) || readdirSync(runsDir).filter((n) => n.includes('-train-')).length === 0)
            await new Promise((r) => setTimeout(r, 20));
          const run = readdirSync(runsDir).find((n) => n.includes('-train-'))!;
          await stepsLogged(join(runsDir, run, 'metrics.jsonl'), 3);
          child.kill('SIGINT');
        })();
      },
    });
    assert.equal(stopped.code, 130, stopped.stderr);
    const id = /resume with: polytask train --resume (\S+)/.exec(stopped.stdout)?.[1];
    assert.ok(id !== undefined, stopped.stdout);
    const info = JSON.parse(readFileSync(join(runsDir, id, 'run.json'), 'utf8')) as {
      status: string;
      summary: { steps: number };
    };
    assert.equal(info.status, 'stopped');
    const total = 40 * Math.ceil(150 / 4);
    assert.ok(info.summary.steps > 0 && info.summary.steps < total, `stopped at step ${info.summary.steps}`);
    const resumed = await polytask(['train', '--resume', id, '--json'], { runsDir, cwd: dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    const done = JSON.parse(resumed.stdout) as { run: string; status: string; steps: number; epochs: number };
    assert.equal(done.run, id);
    assert.equal(done.status, 'completed');
    assert.equal(done.epochs, 40);
    assert.equal(done.steps, total);
    assert.match(resumed.stderr, new RegExp(`resumed at step ${info.summary.steps}`));
  }),
);

test('study mtl --dataset runs on the example task description', { timeout: 300_000 }, () =>
  withTempDir(async (dir) => {
    const r = await polytask(
      [
        'study',
        'mtl',
        '--dataset',
        EXAMPLE,
        '--epochs',
        '1',
        '--methods',
        'ew',
        '--set',
        'trunk.width=2',
        '--set',
        'capacityCheck=false',
        '--set',
        'affinity.every=0',
        // no validation split carved from the 800 training rows: the counts below are the split's own
        '--set',
        'validation=0',
        '--no-report',
        '--json',
      ],
      { runsDir: join(dir, 'runs') },
    );
    assert.equal(r.code, 0, r.stderr);
    const { result } = JSON.parse(r.stdout) as {
      result: {
        tasks: { name: string; outputs: number }[];
        results: Record<string, Record<string, Record<string, number>>>;
        checks: { dataBalance: { labelled: Record<string, number> } };
      };
    };
    assert.deepEqual(
      result.tasks.map((t) => [t.name, t.outputs]),
      [
        ['digit', 10],
        ['parity', 2],
      ],
    );
    // 800 training rows: every digit label, and the parity labels that are not "?" (30% of the table's are)
    const table = readFileSync(join(EXAMPLE, '..', 'digits-tasks', 'digits.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const present = table.filter((l) => !l.endsWith(',?')).length;
    assert.equal(present, 700);
    assert.equal(result.checks.dataBalance.labelled.digit, 800);
    const train = trainTestSplit(table.length, { testFraction: 0.2, seed: 0 }).train;
    const labelled = Array.from(train).filter((i) => !table[i]!.endsWith(',?')).length;
    assert.equal(result.checks.dataBalance.labelled.parity, labelled);
    assert.ok(labelled < 800);
    assert.ok(Number.isFinite(result.results.ew!.parity!.accuracy));
  }),
);

test('bad task descriptions and flags are one-line errors, before any run directory', { timeout: 120_000 }, () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    writeTiny(dir);
    const base = 'input: { file: table.csv, columns: [x0, x1] }\ntasks:\n';
    const cases: [string, string, RegExp][] = [
      [
        'names.yaml',
        `${base}  side: { kind: multiclass, classNames: [left, centre], targets: { file: table.csv, column: side } }\n`,
        /names\.yaml: tasks\.side\.targets: found "right" at sample \d+, expected one of the classNames left, centre/,
      ],
      [
        'count.yaml',
        `${base}  side: { kind: multiclass, classes: 3, targets: { file: table.csv, column: side } }\n`,
        /count\.yaml: tasks\.side\.classes: found 3, but the labels hold 2 class names/,
      ],
      [
        'text.yaml',
        `${base}  level: { kind: regression, targets: { file: table.csv, column: side } }\n`,
        /text\.yaml: tasks\.level\.targets: found "(left|right)" at entry \d+, expected numbers/,
      ],
      [
        'input.yaml',
        'input: { file: table.csv }\ntasks:\n  level: { kind: regression, targets: { file: table.csv, column: level } }\n',
        /input\.yaml: input\.file: found "(left|right|\?)" in table\.csv, row 1, column "side"/,
      ],
      [
        'source.yaml',
        'input: { source: mnist, classes: [0, 1] }\ntasks:\n  level: { kind: regression, targets: { file: table.csv, column: level } }\n',
        /source\.yaml: input\.classes: found \[0,1\], expected nothing: an input gives every sample/,
      ],
    ];
    for (const [name, text, expected] of cases) {
      writeFileSync(join(dir, name), text);
      const r = await polytask(['train', '--tasks', name, '--epochs', '1'], { runsDir, cwd: dir });
      assert.notEqual(r.code, 0, name);
      assert.match(r.stderr, expected);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    const flag = await polytask(['train', '--tasks', 'tasks.yaml', '--data', 'mnist'], { runsDir, cwd: dir });
    assert.match(flag.stderr, /--data does not apply to a multi-task run/);
    const swapped = await polytask(['train', '-c', 'tasks.yaml'], { runsDir, cwd: dir });
    assert.match(
      swapped.stderr,
      /tasks\.yaml is a task description, not a training config: give it as --tasks tasks\.yaml/,
    );
    const alone = await polytask(['train', '--method', 'pcgrad'], { runsDir, cwd: dir });
    assert.match(alone.stderr, /--method is for multi-task runs: give the task description with --tasks FILE/);
    const method = await polytask(['train', '--tasks', 'tasks.yaml', '--method', 'bogus'], { runsDir, cwd: dir });
    assert.notEqual(method.code, 0);
    assert.match(method.stderr, /multitask\.method/);
    assert.ok(!existsSync(runsDir) || readdirSync(runsDir).every((n) => !n.includes('-train-')), 'no run directory');
  }),
);
