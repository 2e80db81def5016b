import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { z } from 'zod';
import type { CliContext } from '../../src/cli/context.js';
import { mainJobText, runMainJob } from '../../src/cli/main-job.js';
import { Output } from '../../src/cli/output.js';
import { ProgressBars } from '../../src/cli/progress.js';
import { defineStudy, type Study, type StudyKey } from '../../src/cli/studies/types.js';
import { assembleReport, readMetrics, RunIndex, type ReportData } from '../../src/report/index.js';
import { sampleE2e, sampleMtl, sampleTransfer } from '../report/fixtures.js';
import { MAIN, polytask, withTempDir } from './helpers.js';

/** A stream that keeps what is written to it. */
function sink(): Writable & { text: string } {
  const s = new Writable({
    write(chunk, _enc, done) {
      s.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  s.text = '';
  return s;
}

/** A study that reports a few steps and returns a canned result (or throws). */
function stub(key: StudyKey, result: ReportData, fail = false): Study {
  return defineStudy({
    key,
    title: `${key} stub`,
    schema: z.strictObject({ size: z.number().int().min(1) }),
    flags: {},
    presets: { main: { size: 3 }, quick: { size: 1 } },
    run: async ({ size }, onProgress) => {
      for (let step = 1; step <= 4; step++)
        onProgress({
          message: `step ${step}`,
          run: 'only',
          runIndex: 1,
          runs: 1,
          step,
          steps: 4,
          loss: size / step,
          losses: { a: 1 / step },
        });
      if (fail) throw new Error(`${key} broke`);
      return result;
    },
    report: (data) => data,
    verdict: (data) => assembleReport(data).verdicts[0]!,
  });
}

function context(root: string): {
  ctx: CliContext;
  stdout: Writable & { text: string };
  stderr: Writable & { text: string };
} {
  const stdout = sink();
  const stderr = sink();
  const out = new Output({ json: false, quiet: false, stdout, stderr });
  return { ctx: { out, bars: new ProgressBars(out), root, debug: false }, stdout, stderr };
}

test('the main job runs every study in one run, writes one report and prints the three verdicts', () =>
  withTempDir(async (root) => {
    const { ctx, stderr } = context(root);
    const studies = [
      stub('transfer', { transfer: sampleTransfer() }),
      stub('mtl', { mtl: sampleMtl() }),
      stub('e2e', { e2e: sampleE2e() }),
    ];
    const summary = await runMainJob({
      quick: true,
      studies,
      ctx,
      overrides: [{ path: 'e2e.size', value: 2, source: '--set e2e.size' }],
    });
    assert.equal(summary.status, 'completed');
    assert.deepEqual(
      summary.studies.map((s) => [s.key, s.error]),
      [
        ['transfer', null],
        ['mtl', null],
        ['e2e', null],
      ],
    );
    const config = JSON.parse(readFileSync(join(summary.dir, 'config.json'), 'utf8')) as {
      quick: boolean;
      studies: Record<string, { size: number }>;
    };
    assert.deepEqual(config, { quick: true, studies: { transfer: { size: 1 }, mtl: { size: 1 }, e2e: { size: 2 } } });
    for (const f of ['results-transfer.json', 'results-mtl.json', 'results-e2e.json', 'report.html', 'charts/e2e.png'])
      assert.ok(existsSync(join(summary.dir, f)), f);
    const sections = new Set(readMetrics(join(summary.dir, 'metrics.jsonl')).map((r) => r.section));
    assert.deepEqual([...sections], ['transfer/only', 'mtl/only', 'e2e/only']);
    const text = mainJobText(summary);
    assert.match(text, /transfer stub: Pre-training helps up to 200 labels/);
    assert.match(
      text,
      /mtl stub: Sharing helps: famo beats single-task models of equal capacity\.\n {2}outcome: helps\n {2}effect: \+2\.00 points \[\+0\.50, \+3\.50\]/,
    );
    assert.match(
      text,
      /e2e stub: End-to-end overtakes the pipeline from about 170 training examples\.\n {2}outcome: end-to-end\n(.*\n)* {2}next: more seeds\n {2}crossover at ≈ 170 examples \(130–230\)/,
    );
    assert.match(text, new RegExp(`report: ${summary.report!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(stderr.text, /\[3\/3\] e2e stub: done in/);
    const index = RunIndex.open(join(root, 'index.sqlite'));
    const record = index.find(summary.run);
    index.close();
    assert.equal(record?.status, 'completed');
    assert.equal(record?.kind, 'main');
  }));

test('a study that fails is reported, the others still run, and the job ends failed', () =>
  withTempDir(async (root) => {
    const { ctx } = context(root);
    const summary = await runMainJob({
      quick: false,
      studies: [
        stub('transfer', { transfer: sampleTransfer() }),
        stub('mtl', {}, true),
        stub('e2e', { e2e: sampleE2e() }),
      ],
      ctx,
      overrides: [],
    });
    assert.equal(summary.status, 'failed');
    assert.deepEqual(
      summary.studies.map((s) => s.error),
      [null, 'polytask: mtl broke', null],
    );
    assert.match(mainJobText(summary), /mtl stub: FAILED polytask: mtl broke/);
    const html = readFileSync(summary.report!, 'utf8');
    assert.ok(
      html.includes('<h2>Transfer learning</h2>') &&
        html.includes('<h2>End-to-end vs pipeline</h2>') &&
        !html.includes('<h2>Multi-task learning</h2>'),
    );
  }));

test('main job settings are checked before anything is written', () =>
  withTempDir(async (root) => {
    const { ctx } = context(root);
    const studies = [stub('transfer', { transfer: sampleTransfer() })];
    await assert.rejects(
      runMainJob({
        quick: true,
        studies,
        ctx,
        overrides: [{ path: 'transfer.size', value: 0, source: '--set transfer.size' }],
      }),
      /--set transfer\.size: size: found 0, expected a number >= 1/,
    );
    await assert.rejects(
      runMainJob({ quick: true, studies, ctx, overrides: [{ path: 'size', value: 1, source: '--set size' }] }),
      /--set size: expected a key of one study, prefixed by transfer\./,
    );
    assert.equal(existsSync(root) && existsSync(join(root, 'index.sqlite')), false);
  }));

/** The real studies at the smallest settings that still exercise every step of each. */
const TINY = [
  'transfer.source.samples=500',
  'transfer.source.epochs=1',
  'transfer.target.budgets=[5]',
  'transfer.target.testSamples=200',
  'transfer.fineTune.strategies=[scratch,full]',
  'transfer.fineTune.seeds=[0]',
  'transfer.fineTune.minEpochs=2',
  'transfer.fineTune.epochBudget=10',
  'mtl.methods=[ew]',
  'mtl.epochs=1',
  'mtl.train=300',
  'mtl.test=200',
  'e2e.sizes=[50,100,200,400]',
  'e2e.testExamples=200',
  'e2e.bootstrap=10',
  'e2e.subtaskExamples=100',
  'e2e.training.maxSteps=40',
  'e2e.training.minSteps=20',
].flatMap((s) => ['--set', s]);

// about 15 s on two idle cores: the real studies, end to end, at settings too small to mean anything
test('npm start -- --quick at tiny settings: three verdicts, a report, --json parses', { timeout: 120_000 }, () =>
  withTempDir(async (dir) => {
    const r = await polytask(['--quick', '--json', '-q', ...TINY], { runsDir: join(dir, 'runs'), script: MAIN });
    assert.equal(r.code, 0, r.stderr);
    // quiet: no notes and no progress (a process warning, such as the native backend missing, may remain)
    assert.deepEqual(
      r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('(node:') && !l.startsWith('(Use `node')),
      [],
      'quiet',
    );
    const summary = JSON.parse(r.stdout) as {
      status: string;
      studies: {
        key: string;
        verdict: { headline: string; outcome: string; reasons: string[]; numbers: string[] } | null;
      }[];
      report: string;
      charts: string[];
    };
    assert.equal(summary.status, 'completed');
    assert.deepEqual(
      summary.studies.map((s) => s.key),
      ['transfer', 'mtl', 'e2e'],
    );
    for (const s of summary.studies)
      assert.ok(s.verdict !== null && s.verdict.headline.length > 10 && s.verdict.numbers.length > 0, s.key);
    // a quick run is a smoke test, never a conclusion
    for (const s of summary.studies) {
      assert.equal(s.verdict!.outcome, 'inconclusive (smoke test)', s.key);
      assert.ok(
        s.verdict!.reasons.some((x) => x.startsWith('FAILED smoke test')),
        s.key,
      );
    }
    assert.ok(existsSync(summary.report));
    assert.match(readFileSync(summary.report, 'utf8'), /data-outcome="inconclusive \(smoke test\)"/);
    assert.ok(summary.charts.length >= 4, `charts: ${summary.charts.join(', ')}`);
  }),
);

// the same tiny job with its sub-runs in two worker processes: every study's runs go to the workers
test(
  'npm start -- --workers 2 trains every study in worker processes; --workers 0 is refused before a run',
  { timeout: 600_000 },
  () =>
    withTempDir(async (dir) => {
      const bad = await polytask(['--quick', '--workers', '0'], { runsDir: join(dir, 'runs'), script: MAIN });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /--workers: found "0", expected a positive whole number/);
      assert.ok(!existsSync(join(dir, 'runs')), 'no run directory');
      const r = await polytask(['--quick', '--json', '--workers', '2', ...TINY], {
        runsDir: join(dir, 'runs'),
        script: MAIN,
        env: { POLYTASK_NUM_THREADS: '2' },
      });
      assert.equal(r.code, 0, r.stderr);
      const summary = JSON.parse(r.stdout) as { status: string; studies: { key: string; verdict: unknown }[] };
      assert.equal(summary.status, 'completed');
      for (const key of ['transfer', 'mtl', 'e2e']) {
        assert.ok(summary.studies.find((s) => s.key === key)?.verdict !== null, key);
        assert.match(r.stderr, new RegExp(`${key}: \\S+ done by \\S+ in [0-9.]+ s`), key);
      }
    }),
);
