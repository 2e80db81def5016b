import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  createRunDir,
  finishRunDir,
  MetricsLog,
  readMetrics,
  readRunConfig,
  readRunInfo,
  writeRunJson,
} from '../../src/report/index.js';

function withDir(body: (dir: string) => void): () => void {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'polytask-rundir-'));
    try {
      body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'a run directory is named <timestamp>-<kind>-<id> and holds run.json and config.json',
  withDir((root) => {
    const run = createRunDir(join(root, 'runs'), 'study-mtl', { epochs: 2 }, new Date(2026, 0, 2, 3, 4, 5));
    assert.match(run.id, /^20260102-030405-study-mtl-[0-9a-f]{6}$/);
    assert.equal(basename(run.dir), run.id);
    assert.deepEqual(readdirSync(run.dir).sort(), ['config.json', 'run.json']);
    assert.deepEqual(readRunConfig(run.dir), { epochs: 2 });
    assert.equal(readRunInfo(run.dir).status, 'running');
    const done = finishRunDir(run.dir, { status: 'completed', summary: { accuracy: 0.5 } });
    assert.equal(done.status, 'completed');
    assert.deepEqual(readRunInfo(run.dir).summary, { accuracy: 0.5 });
    writeRunJson(run.dir, 'results-mtl.json', { deltaM: { ew: NaN } });
    assert.deepEqual(JSON.parse(readFileSync(join(run.dir, 'results-mtl.json'), 'utf8')), { deltaM: { ew: null } });
    assert.throws(() => createRunDir(root, 'Bad Kind', {}), /kind must be/);
    assert.throws(() => readRunInfo(root), /not a run directory/);
  }),
);

test(
  'two runs created in the same second get different directories',
  withDir((root) => {
    const now = new Date();
    const a = createRunDir(root, 'train', {}, now);
    const b = createRunDir(root, 'train', {}, now);
    assert.notEqual(a.dir, b.dir);
  }),
);

test(
  'metrics.jsonl: records append as lines, a torn last line is skipped, NaN becomes null',
  withDir((dir) => {
    const path = join(dir, 'metrics.jsonl');
    assert.deepEqual(readMetrics(path), []);
    const log = new MetricsLog(path);
    assert.equal(existsSync(path), false);
    log.append({ type: 'step', section: 'train', step: 1, epoch: 0, loss: 0.5, losses: { a: NaN } });
    log.append({ type: 'epoch', section: 'train', step: 1, epoch: 0, loss: 0.5 });
    appendFileSync(path, '{"type":"step","sec');
    const records = readMetrics(path);
    assert.equal(records.length, 2);
    assert.deepEqual(records[0]!.losses, { a: null });
  }),
);
