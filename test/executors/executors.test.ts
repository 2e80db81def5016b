/**
 * The executors as a library: the processes executor and the BullMQ executor with a queue worker
 * train a planted study's sub-runs by id; a sub-run that fails every attempt ends the grid with
 * an error naming it, after the one that succeeded is recorded; refusals name what differs;
 * Redis URLs are redacted and parsed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BullmqExecutor,
  ProcessExecutor,
  ProcessPool,
  QueueWorker,
  redactRedisUrl,
  redisOptions,
  refusal,
  subRunJob,
  fingerprintRefusal,
} from '../../src/executors/index.js';
import { hasFields, runSubRuns, type SubRunStore } from '../../src/study/index.js';
import { REDIS_SKIP, startRedis } from '../helpers/redis.js';
import { PLANTED_CHILD, plantedTrainer } from './planted.js';
import { plain } from '../helpers/plain.js';

function memoryStore(): SubRunStore & { records: Map<string, unknown>; workers: Map<string, string> } {
  const records = new Map<string, unknown>();
  const workers = new Map<string, string>();
  return {
    records,
    workers,
    get: (id) => records.get(id),
    put: (id, result, meta) => {
      records.set(id, result);
      if (meta !== undefined) workers.set(id, meta.worker);
    },
    dir: (id) => `/tmp/${id}`,
  };
}

const isValue = (v: unknown): v is { value: number } => hasFields(v, { value: 'number' });
const grid = [
  { id: 'ok', spec: null },
  { id: 'bad', spec: null },
];
const local = async (): Promise<{ value: number }> => {
  throw new Error('trained here, not by the executor');
};
const study = { runId: 'run1', study: 'planted', config: {}, fingerprint: null, subRuns: null };

test('the processes executor trains by id in child processes; a failing sub-run is named', async () => {
  const executor = new ProcessExecutor({ workers: 2, entry: PLANTED_CHILD, study });
  const store = memoryStore();
  try {
    await assert.rejects(
      runSubRuns(grid, { executor, store, isRecord: isValue, train: local }),
      /planted sub-run 'bad' failed: planted failure/,
    );
    assert.deepEqual(plain(store.records.get('ok')), { value: 1 });
    assert.match(store.workers.get('ok') ?? '', /^.+:\d+$/);
  } finally {
    await executor.close();
  }
});

test(
  'on BullMQ, a sub-run that fails 3 times ends the study naming it; after a fix, the same run tries it afresh',
  { skip: REDIS_SKIP, timeout: 60_000 },
  async () => {
    const redis = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), 'polytask-planted-'));
    const fix = join(dir, 'fixed');
    const worker = new QueueWorker({
      redis: redis.url,
      entry: PLANTED_CHILD,
      trainers: { planted: plantedTrainer },
      lockMs: 2000,
    });
    const failing = new BullmqExecutor({ redis: redis.url, study: { ...study, config: { fixed: fix } }, pollMs: 50 });
    const resumed = new BullmqExecutor({ redis: redis.url, study: { ...study, config: { fixed: fix } }, pollMs: 50 });
    const store = memoryStore();
    try {
      await assert.rejects(
        runSubRuns(grid, { executor: failing, store, isRecord: isValue, train: local }),
        /planted sub-run 'bad' failed 3 times, last on worker .+:\d+: planted failure/,
      );
      assert.deepEqual(plain(store.records.get('ok')), { value: 1 });
      writeFileSync(fix, '');
      assert.deepEqual(plain(await runSubRuns(grid, { executor: resumed, store, isRecord: isValue, train: local })), [
        { value: 1 },
        { value: 2 },
      ]);
    } finally {
      await failing.close();
      await resumed.close();
      await worker.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('a worker refuses jobs of another code version, backend, study run or data', () => {
  const job = subRunJob({
    runId: 'run1',
    study: 'planted',
    config: {},
    subRun: 'ok',
    fingerprint: 'abc',
    subRuns: null,
  });
  const trainers = { planted: plantedTrainer };
  const self = { codeVersion: job.codeVersion, backend: job.backend };
  assert.equal(refusal(job, trainers, self), null);
  assert.match(
    refusal({ ...job, codeVersion: '0.0.1+old' }, trainers, self) ?? '',
    /made by code version 0\.0\.1\+old, this worker runs/,
  );
  assert.match(refusal({ ...job, backend: 'other' }, trainers, self) ?? '', /runs on the other backend/);
  assert.match(refusal({ ...job, study: 'e2e' }, trainers, self) ?? '', /trains sub-runs of planted only/);
  assert.match(refusal(job, trainers, { ...self, runId: 'run2' }) ?? '', /serves run run2 only/);
  assert.equal(fingerprintRefusal(job, 'abc'), null);
  assert.match(fingerprintRefusal(job, 'def') ?? '', /fingerprint def.*not the coordinator's \(abc\)/);
});

test('Redis URLs: passwords never shown; user, password, db and TLS parsed', () => {
  assert.equal(redactRedisUrl('redis://poly:s3cret@queue-host:6379/2'), 'redis://poly:***@queue-host:6379/2');
  assert.equal(redactRedisUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  assert.equal(redactRedisUrl('not a url s3cret'), 'an invalid Redis URL');
  const o = redisOptions('rediss://poly:s%40cret@cache.lan:6380/3');
  assert.deepEqual(
    { host: o.host, port: o.port, db: o.db, username: o.username, password: o.password, tls: o.tls },
    { host: 'cache.lan', port: 6380, db: 3, username: 'poly', password: 's@cret', tls: { servername: 'cache.lan' } },
  );
  assert.equal(redisOptions('redis://h').port, 6379);
  assert.throws(
    () => redisOptions('http://u:s3cret@h'),
    (err: Error) => /redis:\/\/ or rediss:\/\//.test(err.message) && !err.message.includes('s3cret'),
  );
  assert.throws(() => redisOptions('redis://h/x'), /whole number/);
});

test("a process pool shares the study's thread budget out: POLYTASK_NUM_THREADS, else the cores", () => {
  const before = process.env.POLYTASK_NUM_THREADS;
  try {
    process.env.POLYTASK_NUM_THREADS = '2';
    assert.equal(new ProcessPool({ size: 2, entry: PLANTED_CHILD }).threads, 1);
    process.env.POLYTASK_NUM_THREADS = '6';
    assert.equal(new ProcessPool({ size: 2, entry: PLANTED_CHILD }).threads, 3);
    assert.equal(new ProcessPool({ size: 4, entry: PLANTED_CHILD }).threads, 1);
    assert.equal(new ProcessPool({ size: 2, entry: PLANTED_CHILD, threads: 5 }).threads, 5);
    process.env.POLYTASK_NUM_THREADS = 'many';
    assert.equal(
      new ProcessPool({ size: 1, entry: PLANTED_CHILD }).threads,
      availableParallelism(),
      'an unreadable budget: the cores',
    );
  } finally {
    if (before === undefined) delete process.env.POLYTASK_NUM_THREADS;
    else process.env.POLYTASK_NUM_THREADS = before;
  }
});
