/**
 * The end-to-end study resumed over its sub-run records: recorded runs are taken as they are, a
 * recorded pipeline's weights are loaded for the hybrids still to train, and the result equals the
 * uninterrupted study's (its wall time aside).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist } from '../../src/data/index.js';
import { runE2eStudy, type E2eProgress, type E2eStudyResult } from '../../src/endtoend/index.js';
import { FileSubRunStore } from '../../src/train/index.js';

const digits = loadMnist();
const config = {
  case: 'digit-sum' as const, sizes: [20, 40, 80], seeds: 2, testExamples: 200, subtaskExamples: 100, hidden: 16, bootstrap: 20,
  training: { epochs: 2, minSteps: 10, maxSteps: 30 },
};

const withoutTime = (r: E2eStudyResult): unknown => ({ ...r, timing: { ...r.timing, seconds: 0 } });

test('a resumed end-to-end study trains only what was not recorded and gives the uninterrupted result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-e2e-resume-'));
  try {
    const full = await runE2eStudy(config, undefined, { digits, subRuns: FileSubRunStore.open(join(dir, 'a'), { config }) });
    // every run draws from its own seed, so recording changes nothing
    assert.deepEqual(withoutTime(full), withoutTime(await runE2eStudy(config, undefined, { digits })));
    cpSync(join(dir, 'a'), join(dir, 'b'), { recursive: true });
    // seed 0 lost two runs after its pipeline (whose hybrids then start from the stored weights);
    // seed 1 lost everything, its pipeline included
    const lost = ['seed0-endToEnd-n40', 'seed0-hybrid-n80', ...readdirSync(join(dir, 'b')).filter((n) => n.startsWith('seed1-') && n.endsWith('.json')).map((n) => n.slice(0, -5))];
    for (const id of lost) rmSync(join(dir, 'b', `${id}.json`));
    const events: E2eProgress[] = [];
    const resumed = await runE2eStudy(config, (p) => events.push(p), { digits, subRuns: FileSubRunStore.open(join(dir, 'b'), { config }) });
    assert.deepEqual(withoutTime(resumed), withoutTime(full));
    assert.deepEqual(events.map((e) => `seed${e.seed}-${e.approach}${e.size === null ? '' : `-n${e.size}`}`).sort(), [...lost].sort());
    assert.ok(events.every((e) => e.total === 2 * (1 + 3 * 2)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
