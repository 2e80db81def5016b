/**
 * `polytask study transfer` from given weights (`--arch ARCH --weights FILE`, `--source
 * pretrained:NAME`, `--source checkpoint:DIR`): the study runs end to end on a tiny image folder
 * with no source data and no source training, its headline gain is the mean of the paired
 * differences of its own runs, the source gates say they do not apply, and bad references are
 * refused before any run directory exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed } from '../../src/core/rng.js';
import { saveSafetensors } from '../../src/io/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { buildModel } from '../../src/transfer/arch/registry.js';
import type { TransferStudyResult } from '../../src/transfer/study.js';
import { writeColourFolder } from '../data/image-folder/fixtures.js';
import { polytask, withTempDir, type Ran } from './helpers.js';

/** A tiny MobileNetV2 (a tenth of its width) on 32×32 RGB: seconds to fine-tune. */
const TINY = { widthMult: 0.1 };
const TINY_SETS = Object.entries(TINY).flatMap(([k, v]) => ['--set', `model.${k}=${v}`]);

/** Writes the trunk of a seeded tiny MobileNetV2 as a safetensors file with the reference (torchvision) names. */
function writeZooWeights(file: string, seed = 7): void {
  manualSeed(seed);
  const model = buildModel({
    arch: 'mobilenet_v2',
    config: { inChannels: 3, height: 32, width: 32, ...TINY },
    tasks: [{ name: 'x', classes: 2 }],
  });
  const trunk: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(model.stateDict()))
    if (k.startsWith('trunk.')) trunk[k.slice('trunk.'.length)] = t;
  saveSafetensors(file, trunk);
}

/** Three colour classes of noisy 32×32 squares, 8 each; a config file naming the folder. */
async function writeTarget(dir: string): Promise<string> {
  const images = join(dir, 'images');
  await writeColourFolder(images, { red: [200, 40, 40], green: [40, 200, 40], blue: [40, 40, 200] }, 8, {
    seed: 3,
    size: 32,
    formats: ['png'],
  });
  const config = join(dir, 'target.yaml');
  writeFileSync(config, `data:\n  source: images\n  dir: ${images}\n  size: 32\n  testFraction: 0.25\n`);
  return config;
}

const GRID = [
  '--budgets',
  '2',
  '--strategies',
  'scratch,linear-probe,full',
  '--seeds',
  '0,1',
  '--set',
  'fineTune.minEpochs=2',
  '--set',
  'fineTune.epochBudget=4',
  '--set',
  'fineTune.validation=0',
];

const runsIn = (runsDir: string): string[] => (existsSync(runsDir) ? readdirSync(runsDir) : []);

interface StudyOut {
  result: TransferStudyResult;
}

const parse = (r: Ran): StudyOut => {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StudyOut;
};

test(
  'study transfer --arch mobilenet_v2 --weights: no source training; the headline gain is the mean paired gain of its runs',
  { timeout: 120_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      const weights = join(dir, 'tiny.safetensors');
      writeZooWeights(weights);
      const target = await writeTarget(dir);
      const { result } = parse(
        await polytask(
          [
            'study',
            'transfer',
            '--arch',
            'mobilenet_v2',
            '--weights',
            weights,
            '--target',
            target,
            ...TINY_SETS,
            ...GRID,
            '--json',
            '-q',
            '--no-report',
          ],
          { runsDir },
        ),
      );
      assert.equal(result.setup.direction, 'pretrained');
      assert.equal(result.setup.source.examples, null);
      assert.equal(result.setup.model.arch, 'mobilenet_v2');
      // no pre-training sub-run: only the grid (3 strategies × 2 seeds)
      assert.equal(result.runs.length, 6);
      const run = runsIn(runsDir)[0]!;
      const recorded = readdirSync(join(runsDir, run, 'subruns', 'transfer')).filter((f) => f.endsWith('.json'));
      assert.ok(!recorded.some((f) => f.startsWith('source')), recorded.join(','));
      // the headline: the best strategy's mean over seeds of (its accuracy − scratch's), in points
      const best = result.verdict.effect!;
      const acc = (s: string, seed: number): number =>
        result.runs.find((r) => r.strategy === s && r.seed === seed && r.budget === 2)!.accuracy;
      const gains = (s: string): number[] => [0, 1].map((seed) => 100 * (acc(s, seed) - acc('scratch', seed)));
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      const expected = Math.max(mean(gains('linear-probe')), mean(gains('full')));
      assert.ok(Math.abs(best.estimate - expected) < 1e-9, `${best.estimate} vs ${expected}`);
      // the source gates do not apply, and say so
      const reason = (check: string) => result.verdict.reasons.find((r) => r.check === check);
      assert.match(reason('source converged')!.detail, /does not apply/);
      assert.match(reason('source adequate')!.detail, /does not apply/);
      assert.equal(result.results.scratch?.['2']?.mean, Number(mean([0, 1].map((s) => acc('scratch', s))).toFixed(4)));
    }),
);

test(
  'study transfer --source pretrained:nsfw-mobilenet-v2: the real backbone on a handful of images',
  { timeout: 120_000 },
  () =>
    withTempDir(async (dir) => {
      const target = await writeTarget(dir);
      const { result } = parse(
        await polytask(
          [
            'study',
            'transfer',
            '--source',
            'pretrained:nsfw-mobilenet-v2',
            '--target',
            target,
            '--budgets',
            '2',
            '--strategies',
            'scratch,linear-probe',
            '--seeds',
            '0,1',
            '--set',
            'source.size=32',
            '--set',
            'fineTune.minEpochs=1',
            '--set',
            'fineTune.epochBudget=1',
            '--set',
            'fineTune.validation=0',
            '--json',
            '-q',
            '--no-report',
          ],
          { runsDir: join(dir, 'runs') },
        ),
      );
      assert.equal(result.setup.model.arch, 'pretrained');
      assert.deepEqual(result.checks.inputs.target.shape, [3, 32, 32]);
      assert.match(result.setup.source.trainedOn ?? '', /ImageNet/);
      assert.equal(result.runs.length, 4);
      // the probe reads 1,280 trained features of solid colours: it must beat chance (1/3) clearly
      const probe = result.results['linear-probe']!['2']!.mean;
      assert.ok(probe > 0.6, `linear probe ${probe}`);
    }),
);

test(
  'study transfer from given weights: bad references are refused before any run directory exists',
  { timeout: 120_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      const weights = join(dir, 'tiny.safetensors');
      writeZooWeights(weights);
      const target = await writeTarget(dir);
      const refused = async (args: string[], pattern: RegExp): Promise<void> => {
        const r = await polytask(['study', 'transfer', '--target', target, ...args, '--no-report'], { runsDir });
        assert.notEqual(r.code, 0, r.stdout);
        assert.match(r.stderr, pattern);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.deepEqual(runsIn(runsDir), []);
      };
      await refused(
        ['--source', 'pretrained:no-such-net'],
        /pretrained:no-such-net.*expected one of nsfw-mobilenet-v2/,
      );
      await refused(['--arch', 'resnet18', '--weights', weights], /tiny\.safetensors.*not in the file/);
      await refused(
        ['--arch', 'mobilenet_v2', '--weights', join(dir, 'missing.safetensors'), ...TINY_SETS],
        /source\.weights.*missing\.safetensors/,
      );
      await refused(['--source', `checkpoint:${join(dir, 'nowhere')}`], /source\.checkpoint.*nowhere/);
      await refused(['--source', 'mnist', '--weights', weights], /--weights.*drop --source mnist/);
    }),
);
