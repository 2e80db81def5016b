/**
 * The transfer and end-to-end studies, whose later sub-runs start from models earlier ones train,
 * distributed in stages through the real `polytask` command: the transfer study's pre-training,
 * then its fine-tuning runs (loading the source model from the run's sub-run directory); the
 * end-to-end study's pipelines and end-to-end models, then its hybrids (loading their seed's
 * pipeline from there). With 2 worker processes, and the end-to-end study with 2 `polytask
 * worker`s on a private Redis, each gives the local executor's sub-run records, result and verdict
 * (wall times aside). A worker refuses a staged job whose sub-run directory it cannot reach.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { storeRefusal, subRunJob } from '../../src/executors/index.js';
import { e2eSubRunTrainer } from '../../src/endtoend/index.js';
import { mtlSubRunTrainer } from '../../src/multitask/index.js';
import { polytask, withTempDir } from '../cli/helpers.js';
import { REDIS_SKIP, startRedis } from '../helpers/redis.js';
import { assertSame, ONE_THREAD, outcome, stopAll, worker } from './study-helpers.js';

/** 13 sub-runs: the pre-training, then 3 strategies × 2 budgets × 2 seeds of fine-tuning. */
const TRANSFER = [
  'study',
  'transfer',
  '--direction',
  'digits-0-4-to-5-9',
  '--budgets',
  '5,10',
  '--strategies',
  'scratch,linear-probe,full',
  '--seeds',
  '0,1',
  '--set',
  'model.arch=mlp',
  '--set',
  'model.hidden=[16]',
  '--set',
  'source.samples=500',
  '--set',
  'source.epochs=2',
  '--set',
  'target.testSamples=200',
  '--set',
  'fineTune.minEpochs=3',
  '--set',
  'fineTune.epochBudget=10',
  '--no-report',
  '--json',
];

/** 10 sub-runs: for 2 seeds, the pipeline and 2 sizes of end-to-end model, then 2 sizes of hybrid. */
const E2E = [
  'study',
  'e2e',
  '--sizes',
  '20,40',
  '--seeds',
  '2',
  '--set',
  'testExamples=100',
  '--set',
  'subtaskExamples=100',
  '--set',
  'hidden=8',
  '--set',
  'bootstrap=10',
  '--set',
  'training.maxSteps=40',
  '--set',
  'training.minSteps=20',
  '--no-report',
  '--json',
];

const byChild = (workers: Record<string, string>): boolean => Object.values(workers).every((w) => /^.+:\d+$/.test(w));

/** The lines of `stderr` that say a worker finished sub-run `pattern`, by their place. */
function doneAt(stderr: string, key: string, pattern: RegExp): number[] {
  return stderr
    .split('\n')
    .map((line, k) => (new RegExp(`^${key}: (\\S+) done by `).exec(line)?.[1]?.match(pattern) ? k : -1))
    .filter((k) => k >= 0);
}

let e2eReference: ReturnType<typeof outcome> | null = null;
async function e2eLocal(dir: string): Promise<ReturnType<typeof outcome>> {
  e2eReference ??= outcome(await polytask(E2E, { runsDir: join(dir, 'e2e-local'), env: ONE_THREAD }), 'e2e');
  return e2eReference;
}

test(
  "transfer study, 2 worker processes: the pre-training first, then the fine-tuning runs; the local study's records, result and verdict",
  { timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      const want = outcome(await polytask(TRANSFER, { runsDir: join(dir, 'local'), env: ONE_THREAD }), 'transfer');
      const ran = await polytask([...TRANSFER, '--workers', '2'], { runsDir: join(dir, 'workers') });
      const got = outcome(ran, 'transfer');
      assertSame(got, want, 13);
      assert.ok(byChild(got.workers), JSON.stringify(got.workers));
      assert.equal(new Set(Object.values(got.workers)).size, 2, 'both workers trained sub-runs');
      // the worker that pre-trained left the source model where the fine-tuning runs load it from
      assert.ok(readdirSync(join(got.dir, 'subruns', 'transfer', 'source')).length > 0);
      const [source] = doneAt(ran.stderr, 'transfer', /^source$/);
      const fineTuning = doneAt(ran.stderr, 'transfer', /^finetune-/);
      assert.equal(fineTuning.length, 12, ran.stderr);
      assert.ok(source !== undefined && fineTuning.every((k) => k > source), 'stage 2 after stage 1');
    }),
);

test(
  "e2e study, 2 worker processes: pipelines and end-to-end models, then the hybrids; the local study's records, result and verdict",
  { timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      const want = await e2eLocal(dir);
      const ran = await polytask([...E2E, '--workers', '2'], { runsDir: join(dir, 'workers') });
      const got = outcome(ran, 'e2e');
      assertSame(got, want, 10);
      assert.ok(byChild(got.workers), JSON.stringify(got.workers));
      for (const seed of [0, 1])
        assert.ok(existsSync(join(got.dir, 'subruns', 'e2e', `seed${seed}-pipeline`)), 'the pipeline weights are kept');
      const stage1 = doneAt(ran.stderr, 'e2e', /-(pipeline|endToEnd-n\d+)$/);
      const hybrids = doneAt(ran.stderr, 'e2e', /-hybrid-n\d+$/);
      assert.equal(stage1.length + hybrids.length, 10, ran.stderr);
      assert.ok(
        hybrids.every((k) => k > Math.max(...stage1)),
        'the hybrids after their pipelines',
      );
    }),
);

test('e2e study on BullMQ with 2 polytask workers: the local result', { skip: REDIS_SKIP, timeout: 180_000 }, () =>
  withTempDir(async (dir) => {
    const want = await e2eLocal(dir);
    const redis = await startRedis();
    const workers = [worker(redis.url), worker(redis.url)];
    try {
      const r = await polytask([...E2E, '--redis', redis.url], { runsDir: join(dir, 'bullmq') });
      const got = outcome(r, 'e2e');
      assertSame(got, want, 10);
      assert.ok(byChild(got.workers), JSON.stringify(got.workers));
      assert.match(
        r.stderr,
        /start workers with: polytask worker --redis <url> on machines that share \S+subruns\/e2e/,
      );
    } finally {
      await stopAll(workers);
      await redis.stop();
    }
  }),
);

test('a worker refuses a staged job whose sub-run directory it cannot reach', () =>
  withTempDir(async (dir) => {
    const store = join(dir, 'run', 'subruns', 'e2e');
    const job = subRunJob({
      runId: 'run',
      study: 'e2e',
      config: {},
      subRun: 'seed0-hybrid-n20',
      fingerprint: null,
      subRuns: store,
    });
    assert.match(
      storeRefusal(job, e2eSubRunTrainer) ?? '',
      /sub-run directory .*subruns\/e2e is not on this machine; .*share the runs directory/,
    );
    mkdirSync(store, { recursive: true });
    assert.equal(storeRefusal(job, e2eSubRunTrainer), null);
    assert.match(
      storeRefusal({ ...job, subRuns: 'run/subruns/e2e' }, e2eSubRunTrainer) ?? '',
      /not an absolute <run>\/subruns\/e2e path/,
    );
    assert.match(storeRefusal({ ...job, subRuns: join(dir, 'run') }, e2eSubRunTrainer) ?? '', /not an absolute/);
    assert.match(storeRefusal({ ...job, subRuns: null }, e2eSubRunTrainer) ?? '', /names no sub-run directory/);
    // the multi-task study's sub-runs share no files: its jobs need no directory
    assert.equal(storeRefusal({ ...job, study: 'mtl', subRuns: null }, mtlSubRunTrainer), null);
  }));
