/**
 * A small multi-task study through the real `polytask` command, trained locally, by 2 worker
 * processes (`--workers 2`), and by `polytask worker`s on a private Redis: with a password, one
 * worker SIGKILLed mid-job (another takes the job over after BullMQ's stall detection); and with
 * Redis restarted mid-study (its data lost: the coordinator submits the missing jobs again). Each
 * gives the local study's sub-run records and result (wall times aside) and its verdict, with
 * one record per sub-run; the password is printed nowhere and written to no run file. A coordinator
 * SIGKILLed mid-study is resumed with `--resume RUN` and re-attaches to its jobs. Every
 * process runs its kernels on one thread, since results agree bit for bit at equal thread counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { polytask, TINY_MTL_STUDY, withTempDir, type Ran } from '../cli/helpers.js';
import { OPENSSL_SKIP, REDIS_SKIP, startRedis } from '../helpers/redis.js';
import {
  assertSame as assertSameAs,
  ONE_THREAD,
  outcome as outcomeOf,
  stopAll,
  until,
  worker,
  type StudyOutcome,
} from './study-helpers.js';

const STUDY = [...TINY_MTL_STUDY, '--json'];

interface StudyOutput {
  dir: string;
}

const outcome = (r: Ran): StudyOutcome => outcomeOf(r, 'mtl');
const assertSame = (got: StudyOutcome, want: StudyOutcome): void => assertSameAs(got, want, 6);

let reference: StudyOutcome | null = null;

/** The local study, trained once for all tests. */
async function local(dir: string): Promise<StudyOutcome> {
  reference ??= outcome(await polytask(STUDY, { runsDir: join(dir, 'local'), env: ONE_THREAD }));
  return reference;
}

/** Every file under `dir`. */
function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

test('executor flags are checked before a run starts', async () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'flags');
    const both = await polytask([...STUDY, '--workers', '2', '--redis', 'redis://127.0.0.1:1'], { runsDir });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--workers .* or --redis .*not both/);
    const zero = await polytask([...STUDY, '--workers', '0'], { runsDir });
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /--workers: found "0", expected a positive whole number/);
    const scheme = await polytask([...STUDY, '--redis', 'http://u:leak-pw@h'], { runsDir });
    assert.notEqual(scheme.code, 0);
    assert.match(scheme.stderr, /redis:\/\/ or rediss:\/\//);
    assert.ok(!scheme.stderr.includes('leak-pw'));
    const badFile = join(dir, 'bad.yaml');
    writeFileSync(badFile, 'epochs: 1\nexecutor: { workers: 0 }\n');
    const bad = await polytask(['study', 'mtl', '-c', badFile], { runsDir });
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /executor in .*bad\.yaml: expected 'local', \{ workers: N \}.*workers must be a positive whole number/,
    );
    assert.ok(!existsSync(runsDir) || readdirSync(runsDir).every((n) => !n.includes('-study-')), 'no run was started');
  }));

test('a study config file may name its executor', { timeout: 120_000 }, async () =>
  withTempDir(async (dir) => {
    const file = join(dir, 'study.yaml');
    writeFileSync(
      file,
      'train: 256\nepochs: 1\nmethods: [ew]\nseeds: [0]\ntest: 64\nbatchSize: 32\ntrunk: { width: 4 }\ncapacityCheck: false\nexecutor: { workers: 2 }\n',
    );
    const r = await polytask(['study', 'mtl', '-c', file, '--no-report', '--json'], { runsDir: join(dir, 'runs') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /sub-runs trained by processes \(2 workers\)/);
    const stored = readFileSync(join((JSON.parse(r.stdout) as StudyOutput).dir, 'config.json'), 'utf8');
    assert.ok(!stored.includes('executor'), 'the executor is not part of the study config');
  }),
);

test("2 worker processes give the local study's records, result and verdict", { timeout: 120_000 }, () =>
  withTempDir(async (dir) => {
    const want = await local(dir);
    const ran = await polytask([...STUDY, '--workers', '2'], { runsDir: join(dir, 'processes') });
    const got = outcome(ran);
    assertSame(got, want);
    assert.ok(
      Object.values(got.workers).every((w) => /^.+:\d+$/.test(w)),
      JSON.stringify(got.workers),
    );
    // runs show lists who trained each sub-run and how long it took
    const shown = await polytask(['runs', 'show', (JSON.parse(ran.stdout) as StudyOutput).dir, '--json'], {
      runsDir: join(dir, 'processes'),
    });
    assert.equal(shown.code, 0, shown.stderr);
    const subRuns = (
      JSON.parse(shown.stdout) as { subRuns: { study: string; id: string; worker: string; seconds: number }[] }
    ).subRuns;
    assert.deepEqual(subRuns.map((r) => r.id).sort(), Object.keys(want.records).sort());
    for (const r of subRuns) {
      assert.equal(r.worker, got.workers[r.id]);
      assert.ok(r.study === 'mtl' && r.seconds > 0, JSON.stringify(r));
    }
    const table = await polytask(['runs', 'show', (JSON.parse(ran.stdout) as StudyOutput).dir], {
      runsDir: join(dir, 'processes'),
    });
    assert.match(table.stdout, /sub-run\s+worker\s+seconds/);
  }),
);

test(
  'BullMQ workers, one SIGKILLed mid-job: the job is taken over and the result is the local one',
  { skip: REDIS_SKIP, timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      const want = await local(dir);
      const password = 'pw-Zq81xv';
      const redis = await startRedis({ password });
      const workers = [worker(redis.url), worker(redis.url)];
      let killed: string;
      try {
        // a worker's log names the child process that took a job: 'mtl <id> (run <run>) on <host>:<pid>'
        const started = /mtl \S+ \(run \S+\) on (\S+:\d+)/;
        const ran = polytask([...STUDY, '--redis', redis.url], { runsDir: join(dir, 'bullmq') });
        await until(() => workers.some((w) => started.test(w.log())), 'a worker to take a job');
        const victim = workers.find((w) => started.test(w.log()))!;
        killed = started.exec(victim.log())![1]!;
        victim.child.kill('SIGKILL');
        const r = await ran;
        const got = outcome(r);
        assertSame(got, want);
        assert.ok(
          !Object.values(got.workers).includes(killed),
          `no record from the killed worker's child ${killed}: ${JSON.stringify(got.workers)}`,
        );
        const runDir = (JSON.parse(r.stdout) as StudyOutput).dir;
        assert.ok(!r.stdout.includes(password) && !r.stderr.includes(password), 'the password is not printed');
        for (const w of workers) assert.ok(!w.log().includes(password), 'the worker does not print the password');
        for (const file of files(runDir))
          assert.ok(!readFileSync(file).includes(password), `${file} holds no password`);
        assert.match(r.stderr, /redis:\/\/:\*\*\*@127\.0\.0\.1/);
      } finally {
        await stopAll(workers);
        await redis.stop();
      }
    }),
);

test(
  'BullMQ workers with Redis restarted mid-study (its data lost): the study resumes and gives the local result',
  { skip: REDIS_SKIP, timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      const want = await local(dir);
      const redis = await startRedis();
      const workers = [worker(redis.url), worker(redis.url)];
      try {
        const runsDir = join(dir, 'restart');
        const ran = polytask([...STUDY, '--redis', redis.url], { runsDir });
        const recorded = (): boolean =>
          existsSync(runsDir) &&
          readdirSync(runsDir).some((n) => {
            const records = join(runsDir, n, 'subruns', 'mtl');
            return existsSync(records) && readdirSync(records).some((f) => f.endsWith('.json'));
          });
        await until(recorded, 'a first record');
        await redis.restart(800);
        const r = await ran;
        assertSame(outcome(r), want);
        assert.match(r.stderr, /submitted again|unreachable/);
      } finally {
        await stopAll(workers);
        await redis.stop();
      }
    }),
);

test(
  'a coordinator SIGKILLed mid-study: --resume RUN re-attaches to its jobs and finishes with the local result',
  { skip: REDIS_SKIP, timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      const want = await local(dir);
      const redis = await startRedis();
      const workers = [worker(redis.url)];
      try {
        const runsDir = join(dir, 'coordinator');
        const firstRecord = (): string | null => {
          if (!existsSync(runsDir)) return null;
          const run = readdirSync(runsDir).find((n) => n.includes('-study-mtl-'));
          const records = run === undefined ? null : join(runsDir, run, 'subruns', 'mtl');
          return records !== null && existsSync(records) && readdirSync(records).some((f) => f.endsWith('.json'))
            ? (run ?? null)
            : null;
        };
        const killed = await polytask([...STUDY, '--redis', redis.url], {
          runsDir,
          onSpawn: (child) => {
            void until(() => firstRecord() !== null, 'a first record').then(() => child.kill('SIGKILL'));
          },
        });
        assert.notEqual(killed.code, 0, killed.stderr);
        const run = firstRecord()!;
        const resumed = await polytask(['study', 'mtl', '--resume', run, '--redis', redis.url, '--json'], { runsDir });
        assertSame(outcome(resumed), want);
      } finally {
        await stopAll(workers);
        await redis.stop();
      }
    }),
);

test(
  'over TLS (rediss://) with an ACL user, given as $POLYTASK_REDIS: the local result, no password shown',
  { skip: OPENSSL_SKIP, timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      const want = await local(dir);
      const redis = await startRedis({ tls: true, user: 'poly', password: 'acl-Pw93k' });
      const env = { NODE_EXTRA_CA_CERTS: redis.caFile ?? '', POLYTASK_REDIS: redis.url };
      const workers = [worker(redis.url, env)];
      try {
        assert.match(redis.url, /^rediss:\/\/poly:acl-Pw93k@/);
        const r = await polytask(STUDY, { runsDir: join(dir, 'tls'), env });
        assertSame(outcome(r), want);
        assert.match(r.stderr, /rediss:\/\/poly:\*\*\*@127\.0\.0\.1/);
        assert.ok(!r.stderr.includes('acl-Pw93k') && !workers[0]!.log().includes('acl-Pw93k'));
      } finally {
        await stopAll(workers);
        await redis.stop();
      }
    }),
);

test(
  'a worker process SIGKILLed mid-job: its sub-run is trained again by a new child, no record lost or written twice',
  { timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      // four epochs a sub-run, so that the kill lands while one trains
      const longer = [...STUDY, '--epochs', '4'];
      const want = outcome(await polytask(longer, { runsDir: join(dir, 'local4'), env: ONE_THREAD }));
      let log = '';
      let killed: string | null = null;
      const ran = await polytask([...longer, '--workers', '2'], {
        runsDir: join(dir, 'killed'),
        onSpawn: (child) =>
          child.stderr?.on('data', (d: Buffer) => {
            log += d.toString();
            // a child's training progress: 'mtl: <id> on worker <host>:<pid>: epoch 1/4 step ...'
            const training = /^mtl: \S+ on worker (\S+):(\d+): epoch \d+\/4 step/m.exec(log);
            if (killed === null && training !== null) {
              killed = `${training[1]}:${training[2]}`;
              process.kill(Number(training[2]), 'SIGKILL');
            }
          }),
      });
      const got = outcome(ran);
      assertSame(got, want);
      assert.ok(killed !== null);
      assert.match(ran.stderr, new RegExp(`tried again \\(attempt 2, was on ${killed}\\): .*killed \\(SIGKILL\\)`));
      assert.ok(
        !Object.values(got.workers).includes(killed),
        `no record from ${killed}: ${JSON.stringify(got.workers)}`,
      );
      // each sub-run recorded once: one 'done by' note each
      const done = [...ran.stderr.matchAll(/^mtl: (\S+) done by /gm)].map((m) => m[1]);
      assert.deepEqual([...done].sort(), Object.keys(want.records).sort());
    }),
);

test(
  'polytask worker --concurrency 2 trains two jobs at once, each in its own child: the local result',
  { skip: REDIS_SKIP, timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      const want = await local(dir);
      const redis = await startRedis();
      const busy = worker(redis.url, {}, ['--concurrency', '2']);
      try {
        const got = outcome(await polytask([...STUDY, '--redis', redis.url], { runsDir: join(dir, 'concurrency') }));
        assertSame(got, want);
        assert.equal(new Set(Object.values(got.workers)).size, 2, `two children: ${JSON.stringify(got.workers)}`);
        // the worker's log: 'worker <pid>: mtl <id> (run <run>) on <child>' as a job starts, '... <id> done on <child> in ...' as it ends
        let under = 0;
        let most = 0;
        for (const line of busy.log().split('\n')) {
          if (/: mtl \S+ \(run \S+\) on /.test(line)) under += 1;
          else if (/ done on \S+ in /.test(line)) under -= 1;
          most = Math.max(most, under);
        }
        assert.equal(most, 2, busy.log());
      } finally {
        await stopAll([busy]);
        await redis.stop();
      }
    }),
);
