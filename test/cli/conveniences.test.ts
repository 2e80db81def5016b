/**
 * Training conveniences and failed-run bookkeeping through the real CLI: early stopping on a
 * validation split with the best epoch's weights kept (the final scores are that epoch's test
 * scores, and `eval` of the run's checkpoint gives them again), class weights, a failed run that
 * records its error and step (`runs show`, `runs list`, and `report` refusing it), a run whose
 * process died marked stopped by `runs list`, missing files and folders as one line, and studies
 * whose config or data is refused leaving no run directory.
 *
 * @example
 * node scripts/run-tests.mjs dist/test/cli/conveniences.test.js
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createRunDir, RunIndex, INDEX_FILE, readMetrics, METRICS_FILE } from '../../src/report/index.js';
import { polytask, withTempDir, type Ran } from './helpers.js';

/** Exactly one line on stderr, starting `polytask: ` and matching `pattern`; nothing on stdout. */
function assertOneLine(r: Ran, pattern: RegExp, code: number): void {
  assert.equal(r.code, code, `exit status (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^polytask: /);
  assert.match(lines[0]!, pattern);
}

/** The run directories under a runs root (none when the root does not exist). */
const runDirs = (runs: string): string[] =>
  existsSync(runs) ? readdirSync(runs).filter((n) => existsSync(join(runs, n, 'run.json'))) : [];

test(
  'early stopping keeps the best epoch: its test scores are the final ones, and eval of the checkpoint agrees',
  { timeout: 120_000 },
  () =>
    withTempDir(async (dir) => {
      const runs = join(dir, 'runs');
      const r = await polytask(
        [
          'train',
          '--limit',
          '600',
          '--epochs',
          '30',
          '--lr',
          '0.01',
          '--set',
          'training.earlyStopping={patience: 1, minDelta: 0.02}',
          '--set',
          'training.classWeights=balanced',
          '--no-report',
          '-q',
          '--json',
        ],
        { runsDir: runs },
      );
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as {
        dir: string;
        run: string;
        status: string;
        reason: string;
        epochs: number;
        accuracy: number;
        validationExamples: number;
        earlyStopping: { metric: string; mode: string; bestEpoch: number; best: number; stopped: boolean };
      };
      assert.equal(out.status, 'completed');
      assert.equal(out.reason, 'earlyStopped');
      assert.ok(out.epochs < 30, `stopped early, after ${out.epochs} epochs`);
      assert.equal(out.validationExamples, 60, '10% of the 600 training examples');
      const es = out.earlyStopping;
      assert.deepEqual([es.metric, es.mode, es.stopped], ['accuracy', 'max', true]);
      assert.equal(out.epochs, es.bestEpoch + 2, 'patience 1: one epoch without improvement after the best');
      // the final model is the best epoch's: its test accuracy is the one logged at the end of that epoch
      const epochs = readMetrics(join(out.dir, METRICS_FILE)).filter((m) => m.type === 'epoch');
      assert.equal(epochs.length, out.epochs);
      assert.equal(epochs[es.bestEpoch]!.eval?.class?.accuracy, out.accuracy);
      assert.notEqual(epochs.at(-1)!.eval?.class?.accuracy, out.accuracy, 'the last epoch scored otherwise');
      // and the run's newest checkpoint holds those weights
      const ev = await polytask(['eval', out.run, '--json'], { runsDir: runs });
      assert.equal(ev.code, 0, ev.stderr);
      assert.equal((JSON.parse(ev.stdout) as { metrics: { accuracy: number } }).metrics.accuracy, out.accuracy);
      const stored = JSON.parse(readFileSync(join(out.dir, 'run.json'), 'utf8')) as {
        summary: { earlyStopping: unknown };
      };
      assert.deepEqual(stored.summary.earlyStopping, es);
    }),
);

test('class weights and the validation split are checked before any run directory exists', { timeout: 60_000 }, () =>
  withTempDir(async (dir) => {
    const runs = join(dir, 'runs');
    assertOneLine(
      await polytask(['train', '--limit', '100', '--set', 'training.classWeights=[1,2,3]'], { runsDir: runs }),
      /training\.classWeights: found 3 weights, expected one per class \(10\)/,
      1,
    );
    assertOneLine(
      await polytask(['train', '--set', 'training.classWeights=heavy'], { runsDir: runs }),
      /training\.classWeights/,
      2,
    );
    assertOneLine(
      await polytask(['train', '--set', 'training.earlyStopping={patience: 0}'], { runsDir: runs }),
      /training\.earlyStopping\.patience/,
      2,
    );
    assertOneLine(
      await polytask(['train', '--limit', '10', '--set', 'training.valFraction=0.01'], { runsDir: runs }),
      /training\.valFraction: 0\.01 of 10 training examples leaves no validation example/,
      2,
    );
    assert.deepEqual(runDirs(runs), []);
  }),
);

test(
  'a failed run records its error and step: runs show and runs list say why, report refuses it',
  { timeout: 60_000 },
  () =>
    withTempDir(async (dir) => {
      const runs = join(dir, 'runs');
      const r = await polytask(['train', '--limit', '200', '--lr', '1e30', '--no-report', '-q'], { runsDir: runs });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^polytask: loss of task 'class' is NaN at step \d+/);
      const [id] = runDirs(runs);
      const show = await polytask(['runs', 'show', id!, '--json'], { runsDir: runs });
      const info = JSON.parse(show.stdout) as { status: string; summary: { error: { message: string; step: number } } };
      assert.equal(info.status, 'failed');
      assert.match(info.summary.error.message, /^loss of task 'class' is NaN at step \d+/);
      assert.equal(typeof info.summary.error.step, 'number');
      const text = await polytask(['runs', 'show', id!], { runsDir: runs });
      assert.match(text.stdout, new RegExp(`failed at step ${info.summary.error.step}: loss of task 'class' is NaN`));
      const list = await polytask(['runs', 'list'], { runsDir: runs });
      assert.match(list.stdout, /failed +at step \d+: loss of task 'class' is NaN/);
      // the index holds it too, not only run.json
      const index = RunIndex.open(join(runs, INDEX_FILE));
      try {
        assert.deepEqual(index.find(id!)?.summary.error, info.summary.error);
      } finally {
        index.close();
      }
      assertOneLine(
        await polytask(['report', id!], { runsDir: runs }),
        new RegExp(`run ${id} failed at step \\d+: loss of task 'class' is NaN.*there is no report to write`),
        1,
      );
      assert.equal(existsSync(join(runs, id!, 'report.html')), false);
    }),
);

test('runs list marks a run whose process is gone as stopped; one held by a live process stays running', () =>
  withTempDir(async (dir) => {
    const runs = join(dir, 'runs');
    // a process that has ended: its pid is free (and, here, not reused within the test)
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const abandoned = createRunDir(runs, 'train', {});
    const alive = createRunDir(runs, 'train', {});
    const index = RunIndex.open(join(runs, INDEX_FILE));
    try {
      index.put(abandoned, {});
      index.put(alive, {});
    } finally {
      index.close();
    }
    const lock = (pid: number): string => JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00Z' });
    writeFileSync(join(abandoned.dir, '.lock'), lock(Number(dead)));
    writeFileSync(join(alive.dir, '.lock'), lock(process.pid));

    const r = await polytask(['runs', 'list', '--json'], { runsDir: runs });
    assert.equal(r.code, 0, r.stderr);
    const listed = Object.fromEntries(
      (JSON.parse(r.stdout) as { id: string; status: string; summary: { stopped?: string } }[]).map((x) => [x.id, x]),
    );
    assert.equal(listed[alive.id]?.status, 'running');
    assert.equal(listed[abandoned.id]?.status, 'stopped');
    assert.match(
      listed[abandoned.id]!.summary.stopped!,
      new RegExp(`its process \\(pid ${dead}\\) ended without recording an outcome`),
    );
    // recorded, not only shown: run.json says so, and the lock of the dead process is gone
    const stored = JSON.parse(readFileSync(join(abandoned.dir, 'run.json'), 'utf8')) as { status: string };
    assert.equal(stored.status, 'stopped');
    assert.equal(existsSync(join(abandoned.dir, '.lock')), false);
    const filtered = await polytask(['runs', 'list', '--status', 'stopped', '--json'], { runsDir: runs });
    assert.deepEqual(
      (JSON.parse(filtered.stdout) as { id: string }[]).map((x) => x.id),
      [abandoned.id],
    );
  }));

test('a missing data file or output folder is one line naming it, and no run directory is left', () =>
  withTempDir(async (dir) => {
    const runs = join(dir, 'runs');
    const config = join(dir, 'missing-data.yaml');
    writeFileSync(config, 'data: {source: csv, file: missing.csv, label: y}\n');
    const r = await polytask(['train', '-c', config], { runsDir: runs, cwd: dir });
    assertOneLine(r, /missing\.csv: no such file or folder$/, 1);
    assert.doesNotMatch(r.stderr, /ENOENT/);
    assertOneLine(
      await polytask(['predict', 'any', '-i', 'x.npy', '-o', join(dir, 'nowhere', 'p.csv')], { runsDir: runs }),
      new RegExp(`--output .*nowhere/p\\.csv: the folder .*nowhere does not exist`),
      2,
    );
    assert.deepEqual(runDirs(runs), []);
  }));

test('a study whose task description or checkpoint is refused leaves no run directory', { timeout: 60_000 }, () =>
  withTempDir(async (dir) => {
    const runs = join(dir, 'runs');
    const bad = join(dir, 'bad-tasks.yaml');
    writeFileSync(bad, 'tasks:\n  a: {}\n');
    assertOneLine(
      await polytask(['study', 'mtl', '--dataset', bad, '--no-report'], { runsDir: runs }),
      /bad-tasks\.yaml: tasks\.a\.kind: found nothing, expected one of/,
      1,
    );
    const missing = join(dir, 'data', 'tasks.yaml');
    const m = await polytask(['study', 'mtl', '--dataset', missing, '--no-report'], { runsDir: runs });
    assert.notEqual(m.code, 0);
    assert.match(m.stderr, /tasks\.yaml/);
    const t = await polytask(['study', 'transfer', '--set', `source.checkpoint=${join(dir, 'none')}`], {
      runsDir: runs,
    });
    assertOneLine(t, /none does not exist/, 1);
    assert.deepEqual(runDirs(runs), []);
  }),
);
