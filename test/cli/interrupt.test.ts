import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { polytask, withTempDir, stepsLogged } from './helpers.js';

test(
  'Ctrl-C stops after the current step with a checkpoint (exit 130); --resume finishes the run',
  { timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      const args = [
        'train',
        '--limit',
        '2000',
        '--epochs',
        '3',
        '--batch-size',
        '20',
        '--set',
        'model.hidden=[64]',
        '--no-report',
      ];
      const stopped = await polytask(args, {
        runsDir,
        onSpawn: (child) => {
          void (async () => {
            // the run directory appears once the config is valid; then wait for training to be under way
            while (!existsSync(runsDir) || readdirSync(runsDir).filter((n) => n.includes('-train-')).length === 0)
              await new Promise((r) => setTimeout(r, 50));
            const run = readdirSync(runsDir).find((n) => n.includes('-train-'))!;
            await stepsLogged(join(runsDir, run, 'metrics.jsonl'), 3);
            child.kill('SIGINT');
          })();
        },
      });
      assert.equal(stopped.code, 130, stopped.stderr);
      assert.match(stopped.stderr, /stopping after the current step/);
      const id = /resume with: polytask train --resume (\S+)/.exec(stopped.stdout)?.[1];
      assert.ok(id !== undefined, stopped.stdout);
      const info = JSON.parse(readFileSync(join(runsDir, id, 'run.json'), 'utf8')) as {
        status: string;
        summary: { steps: number };
      };
      assert.equal(info.status, 'stopped');
      assert.ok(info.summary.steps > 0 && info.summary.steps < 300, `stopped at step ${info.summary.steps}`);
      assert.ok(
        readdirSync(join(runsDir, id, 'checkpoints')).some((n) =>
          n.startsWith(`step-${String(info.summary.steps).padStart(8, '0')}`),
        ),
        'a checkpoint at the stop',
      );

      const resumed = await polytask(['train', '--resume', id.slice(-6), '--json'], { runsDir });
      assert.equal(resumed.code, 0, resumed.stderr);
      const done = JSON.parse(resumed.stdout) as { status: string; steps: number; epochs: number; run: string };
      assert.equal(done.run, id);
      assert.equal(done.status, 'completed');
      assert.equal(done.epochs, 3);
      assert.equal(done.steps % 3, 0, 'three whole epochs');
      assert.ok(done.steps > info.summary.steps);
      assert.match(resumed.stderr, new RegExp(`resumed at step ${info.summary.steps}`));
      const wrongKind = await polytask(['finetune', '--resume', id], { runsDir });
      assert.match(wrongKind.stderr, /is a 'train' run; resume it with: polytask train --resume/);
    }),
);
