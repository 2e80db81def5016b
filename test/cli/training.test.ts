import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy } from '../../src/data/index.js';
import { loadMnist } from '../../src/data/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { polytask, withTempDir } from './helpers.js';

/** stdout parsed as the one JSON document --json promises. */
function json<T = Record<string, unknown>>(r: { code: number; stdout: string; stderr: string }): T {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

test(
  'train, eval, predict, runs and report: flags override the config, --json parses, files land in the run',
  { timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      const config = join(dir, 'tiny.yaml');
      writeFileSync(
        config,
        'data:\n  source: mnist\n  limit: 300\n  testFraction: 0.1\nmodel:\n  arch: mlp\n  hidden: [32]\ntraining:\n  epochs: 3\n  batchSize: 50\n',
      );
      const trained = json<{
        run: string;
        dir: string;
        status: string;
        accuracy: number;
        epochs: number;
        report: string;
      }>(await polytask(['train', '-c', config, '--epochs', '1', '--set', 'model.hidden=[16]', '--json'], { runsDir }));
      assert.equal(trained.status, 'completed');
      assert.equal(trained.epochs, 1);
      assert.ok(trained.accuracy > 0.2, `accuracy ${trained.accuracy}`);
      const stored = JSON.parse(readFileSync(join(trained.dir, 'config.json'), 'utf8')) as {
        training: { epochs: number; batchSize: number };
        model: { hidden: number[] };
      };
      assert.equal(stored.training.epochs, 1, 'the flag overrides the file');
      assert.equal(stored.training.batchSize, 50, 'the file overrides the default');
      assert.deepEqual(stored.model.hidden, [16], '--set reaches any key');
      for (const f of ['run.json', 'config.json', 'metrics.jsonl', 'report.html', 'charts/train-training-loss.png'])
        assert.ok(existsSync(join(trained.dir, f)), f);

      const listed = json<{ id: string; status: string }[]>(await polytask(['runs', 'list', '--json'], { runsDir }));
      assert.deepEqual(
        listed.map((r) => [r.id, r.status]),
        [[trained.run, 'completed']],
      );
      const shown = json<{ id: string; files: { report: string } }>(
        await polytask(['runs', 'show', trained.run.slice(-6), '--json'], { runsDir }),
      );
      assert.equal(shown.files.report, trained.report);

      const evaluated = json<{ metrics: { accuracy: number }; examples: number }>(
        await polytask(['eval', trained.run, '--json'], { runsDir }),
      );
      assert.equal(evaluated.metrics.accuracy, trained.accuracy, 'eval sees the test split the run was tested on');

      const mnist = loadMnist();
      writeFileSync(join(dir, 'x.npy'), encodeNpy(new Tensor(mnist.images.slice(0, 5 * 784), [5, 28, 28])));
      const predicted = json<{ predictions: { class: number; probability: number }[] }>(
        await polytask(
          ['predict', trained.run, '--input', join(dir, 'x.npy'), '--output', join(dir, 'p.csv'), '--json'],
          { runsDir },
        ),
      );
      assert.equal(predicted.predictions.length, 5);
      assert.ok(predicted.predictions.every((p) => p.probability > 0 && p.probability <= 1));
      assert.equal(readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n').length, 6);

      const second = json<{ run: string }>(
        await polytask(['train', '-c', config, '--epochs', '1', '--lr', '0.01', '--no-report', '--json', '-q'], {
          runsDir,
        }),
      );
      const compared = json<{ differences: Record<string, unknown[]> }>(
        await polytask(['runs', 'compare', trained.run, second.run, '--json'], { runsDir }),
      );
      assert.deepEqual(compared.differences['optimizer.lr'], [0.001, 0.01]);
      assert.deepEqual(compared.differences['model.hidden'], [[16], [32]]);
      const text = await polytask(['runs', 'compare', trained.run, second.run], { runsDir });
      assert.match(text.stdout, /optimizer\.lr\s+0\.001\s+0\.01/);

      const redrawn = json<{ report: string; charts: string[] }>(
        await polytask(['report', second.run, '--json'], { runsDir }),
      );
      assert.ok(existsSync(redrawn.report));
      assert.ok(redrawn.charts.includes('train-training-loss'));
    }),
);

test('pretrain, finetune from it with a new head, rank it by transferability', { timeout: 180_000 }, () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    const pre = json<{ run: string }>(
      await polytask(
        [
          'pretrain',
          '--classes',
          '0,1,2,3,4',
          '--limit',
          '400',
          '--epochs',
          '1',
          '--arch',
          'cnn',
          '--set',
          'model.channels=[4,8]',
          '--set',
          'model.hidden=16',
          '--json',
          '-q',
        ],
        { runsDir },
      ),
    );
    const ft = json<{ status: string; accuracy: number; dir: string }>(
      await polytask(
        [
          'finetune',
          '--from',
          pre.run,
          '--classes',
          '5,6,7,8,9',
          '--limit',
          '50',
          '--strategy',
          'linear-probe',
          '--epochs',
          '2',
          '--json',
          '-q',
        ],
        { runsDir },
      ),
    );
    assert.equal(ft.status, 'completed');
    const meta = JSON.parse(readFileSync(join(ft.dir, 'run.json'), 'utf8')) as { kind: string };
    assert.equal(meta.kind, 'finetune');
    const ranked = json<{ ranking: { rank: number; name: string; scores: { logme: number } }[] }>(
      await polytask(['transferability', pre.run, '--classes', '5,6,7,8,9', '--limit', '100', '--json', '-q'], {
        runsDir,
      }),
    );
    assert.equal(ranked.ranking.length, 1);
    assert.ok(Number.isFinite(ranked.ranking[0]!.scores.logme));
    const mismatch = await polytask(
      [
        'finetune',
        '--from',
        pre.run,
        '--data',
        'csv',
        '--set',
        `data.file=${join(dir, 'none.csv')}`,
        '--set',
        'data.label=y',
        '-q',
      ],
      { runsDir },
    );
    assert.equal(mismatch.code, 1);
  }),
);
