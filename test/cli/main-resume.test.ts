/**
 * Resuming the main job: stub studies of three sub-runs each record them in the run; Ctrl-C in the
 * second study stops the job with the exact resume command; the resumed job trains only the
 * sub-runs not recorded, with the settings the job started with, and ends with every verdict.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { z } from 'zod';
import type { CliContext } from '../../src/cli/context.js';
import { mainJobText, runMainJob } from '../../src/cli/main-job.js';
import { Output } from '../../src/cli/output.js';
import { findRun, otherKind } from '../../src/cli/run-store.js';
import { ProgressBars } from '../../src/cli/progress.js';
import { defineStudy, type Study, type StudyKey } from '../../src/cli/studies/types.js';
import { assembleReport, type ReportData } from '../../src/report/index.js';
import { StoppedError } from '../../src/train/index.js';
import { sampleE2e, sampleMtl, sampleTransfer } from '../report/fixtures.js';
import { withTempDir } from './helpers.js';

function context(root: string): CliContext {
  const sink = new Writable({
    write(_chunk, _enc, done) {
      done();
    },
  });
  const out = new Output({ json: false, quiet: false, stdout: sink, stderr: sink });
  return { out, bars: new ProgressBars(out), root, debug: false };
}

/**
 * A study of three sub-runs that records each, taking recorded ones as they are; `trained` lists
 * what it trained. With `interruptAfter`, Ctrl-C arrives once that many sub-runs are recorded. Like
 * the real studies, it gives up with a StoppedError once its signal is aborted.
 */
function stub(key: StudyKey, result: ReportData, trained: string[], interruptAfter?: number): Study {
  return defineStudy({
    key,
    title: `${key} stub`,
    schema: z.strictObject({ size: z.number().int().min(1) }),
    flags: {},
    presets: { main: { size: 3 }, quick: { size: 1 } },
    run: async (_config, onProgress, options) => {
      const subRuns = options?.subRuns;
      for (let k = 0; k < 3; k++) {
        const id = `part${k}`;
        if (subRuns?.get(id) !== undefined) continue;
        if (options?.signal?.aborted === true) throw new StoppedError(`${key} stub`, 0);
        trained.push(`${key}/${id}`);
        subRuns?.put(id, { k });
        if (k + 1 === interruptAfter) process.emit('SIGINT');
        onProgress({ message: `${id} done`, run: id, runIndex: k + 1, runs: 3, done: k + 1 });
      }
      return result;
    },
    report: (data) => data,
    verdict: (data) => assembleReport(data).verdicts[0]!,
  });
}

test('a main job stopped by Ctrl-C resumes from its recorded sub-runs', () =>
  withTempDir(async (root) => {
    const first: string[] = [];
    const ctx = context(root);
    const stopped = await runMainJob({
      quick: true,
      ctx,
      overrides: [{ path: 'e2e.size', value: 2, source: '--set e2e.size' }],
      studies: [
        stub('transfer', { transfer: sampleTransfer() }, first),
        stub('mtl', { mtl: sampleMtl() }, first, 1),
        stub('e2e', { e2e: sampleE2e() }, first),
      ],
    });
    assert.equal(stopped.status, 'stopped');
    assert.deepEqual(first, ['transfer/part0', 'transfer/part1', 'transfer/part2', 'mtl/part0']);
    assert.equal(stopped.resume, `npm start -- --resume ${stopped.run} --runs-dir ${root}`);
    assert.match(mainJobText(stopped), new RegExp(`resume with: npm start -- --resume ${stopped.run}`));

    const again: string[] = [];
    const studies = [
      stub('transfer', { transfer: sampleTransfer() }, again),
      stub('mtl', { mtl: sampleMtl() }, again),
      stub('e2e', { e2e: sampleE2e() }, again),
    ];
    await assert.rejects(
      runMainJob({
        quick: false,
        studies,
        ctx,
        overrides: [{ path: 'e2e.size', value: 5, source: '--set e2e.size' }],
        resume: stopped.run,
      }),
      /--resume continues the main job with the settings it started with: drop --set e2e\.size/,
    );
    // a job on the embedded MNIST is not resumed as a case (nor a case as another), before anything runs
    const otherCase = { name: 'clipart', title: 'clip art', summary: 'x', datasets: [], presets: {} };
    await assert.rejects(
      runMainJob({ quick: false, studies, ctx, overrides: [], resume: stopped.run, case: otherCase }),
      /is the main job on the embedded MNIST: resume it without --case/,
    );
    assert.deepEqual(again, [], 'nothing trained by the refused resume');
    const resumed = await runMainJob({ quick: false, studies, ctx, overrides: [], resume: stopped.run.slice(-6) });
    assert.equal(resumed.status, 'completed');
    assert.equal(resumed.run, stopped.run);
    assert.equal(resumed.quick, true, 'the settings the job started with');
    assert.equal(resumed.resume, null);
    assert.deepEqual(again, ['mtl/part1', 'mtl/part2', 'e2e/part0', 'e2e/part1', 'e2e/part2']);
    assert.deepEqual(
      resumed.studies.map((s) => [s.key, s.error]),
      [
        ['transfer', null],
        ['mtl', null],
        ['e2e', null],
      ],
    );
  }));

test("a case's stopped main job prints a resume command that carries its --case, and that command resumes it", () =>
  withTempDir(async (root) => {
    const trained: string[] = [];
    const ctx = context(root);
    const theCase = { name: 'clipart', title: 'clip art', summary: 'x', datasets: [], presets: {} };
    const stopped = await runMainJob({
      quick: true,
      ctx,
      overrides: [],
      case: theCase,
      studies: [stub('mtl', { mtl: sampleMtl() }, trained, 1), stub('e2e', { e2e: sampleE2e() }, trained)],
    });
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.resume, `npm start -- --resume ${stopped.run} --runs-dir ${root} --case clipart`);
    // another command's --resume of this run names the same command (`polytask train --resume RUN`)
    assert.match(
      otherKind(findRun(root, stopped.run), root).message,
      new RegExp(`resume it with: npm start -- --resume ${stopped.run} --runs-dir ${root} --case clipart$`),
    );
    const resumed = await runMainJob({
      quick: false,
      ctx,
      overrides: [],
      resume: stopped.run,
      case: theCase,
      studies: [stub('mtl', { mtl: sampleMtl() }, trained), stub('e2e', { e2e: sampleE2e() }, trained)],
    });
    assert.equal(resumed.status, 'completed');
    assert.equal(resumed.resume, null);
    assert.deepEqual(trained, ['mtl/part0', 'mtl/part1', 'mtl/part2', 'e2e/part0', 'e2e/part1', 'e2e/part2']);
  }));
