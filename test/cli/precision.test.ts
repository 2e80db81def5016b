/**
 * `--precision`: a bad value is one line and no run; `train --precision bf16` keeps it in the run's
 * config and trains in bf16 (the same seed's step losses differ from fp32's); the command's
 * precision reaches worker processes through POLYTASK_PRECISION and is put back afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { currentPrecision } from '../../src/tensor/autocast.js';
import { applyInheritedPrecision, atPrecision, parsePrecisionFlag, PRECISION_ENV } from '../../src/cli/precision.js';
import { polytask, withTempDir } from './helpers.js';

function runDirs(runsDir: string): string[] {
  return existsSync(runsDir) ? readdirSync(runsDir).filter((f) => /^\d{8}-/.test(f)) : [];
}

test('a bad --precision is one line naming the flag, before any run directory exists', () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    const train = await polytask(['train', '--precision', 'fp16', '--limit', '100'], { runsDir });
    assert.equal(train.code, 2);
    assert.match(train.stderr.trim(), /^polytask: --precision: training\.precision: found "fp16".*"fp32", "bf16"$/);
    const study = await polytask(['study', 'mtl', '--precision', 'fp16'], { runsDir });
    assert.equal(study.code, 2);
    assert.equal(study.stderr.trim(), 'polytask: --precision: found "fp16", expected fp32 or bf16');
    assert.deepEqual(runDirs(runsDir), []);
  }));

test('train --precision bf16 is kept in the run config and changes the computation', { timeout: 120_000 }, () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    const args = [
      'train',
      '--arch',
      'cnn',
      '--limit',
      '200',
      '--epochs',
      '1',
      '--max-steps',
      '3',
      '--no-report',
      '--json',
    ];
    const losses: number[][] = [];
    for (const precision of ['fp32', 'bf16']) {
      const r = await polytask([...args, '--precision', precision], { runsDir });
      assert.equal(r.code, 0, r.stderr);
      const { dir: runDir } = JSON.parse(r.stdout) as { dir: string };
      const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as {
        training: { precision: string };
      };
      assert.equal(config.training.precision, precision);
      losses.push(
        readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { type: string; loss?: number })
          .filter((m) => m.type === 'step')
          .map((m) => m.loss!),
      );
    }
    const [fp32, bf16] = losses as [number[], number[]];
    assert.equal(bf16.length, fp32.length);
    // the same seed and data: the first loss differs only by the rounding of the forward's operands
    assert.ok(Math.abs(bf16[0]! - fp32[0]!) < 0.02, `first losses ${fp32[0]} and ${bf16[0]}`);
    assert.notEqual(bf16[0], fp32[0], 'bf16 and fp32 runs computed the same loss');
  }),
);

test('atPrecision sets the precision and POLYTASK_PRECISION for the command and puts both back', async () => {
  assert.equal(parsePrecisionFlag(undefined), 'fp32');
  assert.throws(() => parsePrecisionFlag('BF16'), /--precision: found "BF16", expected fp32 or bf16/);
  const before = process.env[PRECISION_ENV];
  const seen = await atPrecision('bf16', async () => {
    await Promise.resolve();
    return [currentPrecision(), process.env[PRECISION_ENV]];
  });
  assert.deepEqual(seen, ['bf16', 'bf16']);
  assert.equal(currentPrecision(), 'fp32');
  assert.equal(process.env[PRECISION_ENV], before);
  process.env[PRECISION_ENV] = 'bf16';
  try {
    applyInheritedPrecision();
    assert.equal(currentPrecision(), 'bf16');
  } finally {
    delete process.env[PRECISION_ENV];
    applyInheritedPrecision();
  }
  assert.equal(currentPrecision(), 'fp32');
});
