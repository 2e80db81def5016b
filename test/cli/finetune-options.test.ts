/**
 * `polytask finetune` on `train`'s loop options, and from a weights file: SGD with a cosine
 * schedule, clipping, class weights and early stopping by accuracy run through the real CLI;
 * `--arch ARCH --weights FILE` (no `--from`) starts a zoo model's trunk from the file (a linear
 * probe leaves it exactly as loaded); a finetune naming no starting model, or two, is refused
 * before any run directory exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed } from '../../src/core/rng.js';
import { loadSafetensors, saveSafetensors } from '../../src/io/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { buildModel } from '../../src/transfer/arch/registry.js';
import { writeColourFolder } from '../data/image-folder/fixtures.js';
import { polytask, withTempDir, type Ran } from './helpers.js';
import { maxDiff, weightsOf, writeClusters } from './transfer-helpers.js';

const json = <T>(r: Ran): T => {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
};

const runsIn = (runsDir: string): string[] => (existsSync(runsDir) ? readdirSync(runsDir) : []);

test(
  "finetune takes train's optimizer, schedule, clipping, class weights and early stopping",
  { timeout: 120_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      const src = writeClusters(dir, 'src', { format: 'npy', n: 120, classes: 3, features: 4, seed: 1 });
      const tgt = writeClusters(dir, 'tgt', { format: 'npy', n: 120, classes: 3, features: 4, seed: 2 });
      const pre = json<{ run: string }>(
        await polytask(
          ['pretrain', '-c', src.config, '--set', 'model.hidden=[8]', '--epochs', '2', '--json', '-q', '--no-report'],
          { runsDir },
        ),
      );
      const sets = [
        'optimizer.name=sgd',
        'optimizer.schedule=cosine',
        'optimizer.lr=0.05',
        'training.clipGradNorm=1',
        'training.classWeights=balanced',
        'training.earlyStopping.metric=accuracy',
        'training.earlyStopping.patience=1',
      ].flatMap((s) => ['--set', s]);
      const done = json<{
        status: string;
        strategy: string;
        epochs: number;
        validationExamples: number;
        accuracy: number;
      }>(
        await polytask(
          [
            'finetune',
            '-c',
            tgt.config,
            '--from',
            pre.run,
            '--strategy',
            'full',
            '--epochs',
            '30',
            ...sets,
            '--json',
            '-q',
            '--no-report',
          ],
          { runsDir },
        ),
      );
      assert.equal(done.status, 'completed');
      assert.equal(done.strategy, 'full');
      assert.ok(done.validationExamples > 0);
      // separable clusters: the fine-tuned model has learnt them
      assert.ok(done.accuracy > 0.8, String(done.accuracy));
    }),
);

test(
  'finetune --arch --weights starts the trunk from the file; no starting model, or two, is refused',
  { timeout: 120_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      manualSeed(3);
      const zoo = buildModel({
        arch: 'mobilenet_v2',
        config: { inChannels: 3, height: 32, width: 32, widthMult: 0.1 },
        tasks: [{ name: 'x', classes: 2 }],
      });
      const trunk: Record<string, Tensor> = {};
      for (const [k, t] of Object.entries(zoo.stateDict())) if (k.startsWith('trunk.')) trunk[k.slice(6)] = t;
      const weights = join(dir, 'tiny.safetensors');
      saveSafetensors(weights, trunk);
      const images = join(dir, 'images');
      await writeColourFolder(images, { red: [200, 40, 40], blue: [40, 40, 200] }, 6, { size: 32, formats: ['png'] });
      const config = join(dir, 'data.yaml');
      writeFileSync(config, `data:\n  source: images\n  dir: ${images}\n  size: 32\n`);
      const zooFlags = ['--arch', 'mobilenet_v2', '--set', 'model.widthMult=0.1', '--weights', weights];
      const done = json<{ status: string; checkpoint: string }>(
        await polytask(
          [
            'finetune',
            '-c',
            config,
            ...zooFlags,
            '--strategy',
            'linear-probe',
            '--epochs',
            '2',
            '--json',
            '-q',
            '--no-report',
          ],
          {
            runsDir,
          },
        ),
      );
      assert.equal(done.status, 'completed');
      const saved = weightsOf(done.checkpoint);
      const file = loadSafetensors(weights);
      for (const [k, t] of Object.entries(file)) assert.ok(maxDiff(saved[`trunk.${k}`]!, t.data) === 0, k);
      const before = runsIn(runsDir).length;
      for (const [flags, message] of [
        [[], /finetune: give the model to start from: --from RUN/],
        [
          [...zooFlags, '--from', 'somewhere'],
          /--from somewhere and --weights .*tiny\.safetensors both name the starting model/,
        ],
      ] as const) {
        const r = await polytask(['finetune', '-c', config, ...flags, '-q'], { runsDir });
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, message);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      }
      assert.equal(runsIn(runsDir).length, before);
    }),
);
