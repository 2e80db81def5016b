/**
 * Resuming a study through the real `polytask` command: Ctrl-C after the first recorded sub-run
 * stops the study with exit 130 and prints the exact resume command; `--resume` trains only the
 * sub-runs that were not recorded and prints the uninterrupted study's result. In the end-to-end
 * study too, Ctrl-C stops inside the sub-run under way rather than after it. Wrong resumes (an
 * unknown run, a run of another kind, a changed config) end in one line and a non-zero exit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { polytask, TINY_MTL_STUDY, withTempDir, type Ran } from './helpers.js';

const STUDY = TINY_MTL_STUDY;

/** The sub-runs (ids) the progress notes show being trained. */
function trained(r: Ran): string[] {
  return [...r.stderr.matchAll(/^mtl: run \d+\/6: (\S+) \(seed (\d+)\)$/gm)].map((m) => `${m[1]}-seed${m[2]}`);
}

/** The study's result without its wall times, which differ between any two runs. */
function resultOf(r: Ran): unknown {
  const { timing: _timing, ...rest } = (JSON.parse(r.stdout) as { result: Record<string, unknown> }).result;
  return rest;
}

/** The first run directory of study `key` under `root`, once it exists. */
async function studyRun(root: string, key = 'mtl'): Promise<string> {
  for (;;) {
    const name = existsSync(root) ? readdirSync(root).find((n) => n.includes(`-study-${key}-`)) : undefined;
    if (name !== undefined) return join(root, name);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves when the run of study `key` has recorded a sub-run. */
async function firstRecord(dir: string, key = 'mtl'): Promise<void> {
  const records = join(dir, 'subruns', key);
  while (!existsSync(records) || !readdirSync(records).some((n) => n.endsWith('.json')))
    await new Promise((r) => setTimeout(r, 20));
}

test(
  'Ctrl-C leaves a study resumable; --resume trains only the rest and gives the uninterrupted result',
  { timeout: 120_000 },
  () =>
    withTempDir(async (dir) => {
      const whole = await polytask([...STUDY, '--json'], { runsDir: join(dir, 'whole') });
      assert.equal(whole.code, 0, whole.stderr);

      const runsDir = join(dir, 'runs');
      const stopped = await polytask([...STUDY, '--json'], {
        runsDir,
        onSpawn: (child) => {
          void studyRun(runsDir)
            .then(firstRecord)
            .then(() => child.kill('SIGINT'));
        },
      });
      assert.equal(stopped.code, 130, stopped.stderr);
      assert.match(stopped.stderr, /stopping after the current step/);
      const summary = JSON.parse(stopped.stdout) as {
        run: string;
        dir: string;
        status: string;
        subRunsRecorded: number;
        resume: string;
      };
      assert.equal(summary.status, 'stopped');
      assert.equal(summary.resume, `polytask study mtl --resume ${summary.run} --runs-dir ${runsDir}`);
      const records = readdirSync(join(summary.dir, 'subruns', 'mtl')).filter((n) => n.endsWith('.json'));
      assert.equal(records.length, summary.subRunsRecorded);
      assert.ok(records.length >= 1 && records.length < 6, `${records.length} sub-runs recorded`);
      const info = JSON.parse(readFileSync(join(summary.dir, 'run.json'), 'utf8')) as { status: string };
      assert.equal(info.status, 'stopped');

      // the printed command, as a user would paste it (the runs root is passed by the helper)
      const resumed = await polytask([...summary.resume.split(' ').slice(1, 5), '--json', '--no-report'], { runsDir });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(
        resumed.stderr,
        new RegExp(`resuming: ${records.length} sub-runs already recorded are not trained again`),
      );
      assert.deepEqual(resultOf(resumed), resultOf(whole));
      const all = trained(whole);
      assert.equal(all.length, 6);
      const recorded = new Set(trained(stopped).slice(0, records.length));
      assert.deepEqual(
        trained(resumed),
        all.filter((id) => !recorded.has(id)),
        'the recorded sub-runs are not trained again',
      );
      assert.equal(
        (JSON.parse(readFileSync(join(summary.dir, 'run.json'), 'utf8')) as { status: string }).status,
        'completed',
      );
    }),
);

/**
 * A small end-to-end study: eight sub-runs (a pipeline and three sizes, two seeds) of about half a
 * second each: a fixed 500 steps without validation (with early stopping on validation each
 * stopped within 30-80 ms, so the SIGINT sent on the first record could come after the second).
 */
const E2E = [
  'study',
  'e2e',
  '--sizes',
  '20,40,80',
  '--seeds',
  '2',
  '--set',
  'testExamples=200',
  '--set',
  'subtaskExamples=100',
  '--set',
  'hidden=16',
  '--set',
  'bootstrap=20',
  '--set',
  'hybrid=false',
  '--set',
  'training.validation=false',
  '--set',
  'training.minSteps=500',
  '--set',
  'training.maxSteps=500',
  '--no-report',
  '--json',
];

test(
  'Ctrl-C stops the end-to-end study inside the sub-run under way; --resume trains that one again and the rest',
  { timeout: 120_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      const stopped = await polytask(E2E, {
        runsDir,
        onSpawn: (child) => {
          void studyRun(runsDir, 'e2e')
            .then((d) => firstRecord(d, 'e2e'))
            .then(() => child.kill('SIGINT'));
        },
      });
      assert.equal(stopped.code, 130, stopped.stderr);
      assert.match(stopped.stderr, /stopping after the current step/);
      const summary = JSON.parse(stopped.stdout) as {
        run: string;
        dir: string;
        status: string;
        subRunsRecorded: number;
        resume: string;
      };
      assert.equal(summary.status, 'stopped');
      // the sub-run after the first takes about half a second: had it run to its end, it would be recorded
      assert.deepEqual(
        readdirSync(join(summary.dir, 'subruns', 'e2e')).filter((n) => n.endsWith('.json')),
        ['seed0-pipeline.json'],
      );
      assert.equal(summary.subRunsRecorded, 1);

      const resumed = await polytask([...summary.resume.split(' ').slice(1, 5), '--json', '--no-report'], { runsDir });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stderr, /resuming: 1 sub-runs already recorded are not trained again/);
      assert.equal([...resumed.stderr.matchAll(/^e2e: /gm)].length, 7, 'the seven sub-runs not recorded are trained');
      assert.equal(
        (JSON.parse(readFileSync(join(summary.dir, 'run.json'), 'utf8')) as { status: string }).status,
        'completed',
      );
    }),
);

test('a wrong --resume is one line and a non-zero exit', { timeout: 60_000 }, () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    const done = await polytask([...STUDY, '--seeds', '0', '--train', '64', '--json'], { runsDir });
    assert.equal(done.code, 0, done.stderr);
    const id = (JSON.parse(done.stdout) as { run: string }).run;
    const cases: [string[], RegExp][] = [
      [
        ['study', 'mtl', '--resume', 'no-such-run'],
        /^polytask: no run 'no-such-run' \(neither a run directory nor a run id in .*\); see: polytask runs list$/,
      ],
      [
        ['study', 'e2e', '--resume', id],
        new RegExp(
          `^polytask: run ${id} is a 'study-mtl' run; resume it with: polytask study mtl --resume ${id} --runs-dir `,
        ),
      ],
      [
        ['train', '--resume', id],
        new RegExp(`^polytask: run ${id} is a 'study-mtl' run; resume it with: polytask study mtl --resume ${id}`),
      ],
      [
        ['study', 'mtl', '--resume', id, '--config', 'study.yaml'],
        /^polytask: --resume continues a study with the config it started with: drop --config$/,
      ],
      [
        ['study', 'mtl', '--resume', id, '--epochs', '2'],
        /^polytask: --resume continues a study with the config it started with: drop --epochs$/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await polytask(args, { runsDir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, message);
    }
  }),
);
