import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSafetensors } from '../../src/io/index.js';
import { noGrad, Tensor } from '../../src/tensor/index.js';
import { loadPretrained } from '../../src/transfer/checkpoint.js';
import { replaceHeads } from '../../src/transfer/heads.js';
import { injectLora } from '../../src/transfer/lora/inject.js';
import { polytask, withTempDir, type Ran } from './helpers.js';
import { distance, maxDiff, weightsOf, writeClusters } from './transfer-helpers.js';

const json = <T>(r: Ran): T => {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
};

interface Finetuned {
  run: string;
  dir: string;
  status: string;
  accuracy: number;
  checkpoint: string;
  strategy: string;
  groupRates?: Record<string, number>;
  lora?: { adapter: string; adapted: string[]; trainable: number; total: number; mergeMaxAbsDiff: number };
}

/** Run directories under a runs root (none when it does not exist). */
const runDirs = (runsDir: string): string[] =>
  existsSync(runsDir) ? readdirSync(runsDir).filter((f) => existsSync(join(runsDir, f, 'run.json'))) : [];

/** The trunk tensors of a weights map (heads left out: fine-tuning puts a new one on). */
const trunkNames = (w: Record<string, Float32Array>): string[] => Object.keys(w).filter((k) => k.startsWith('trunk.'));

test('finetune on the user data with every strategy: each does what makes it that strategy', { timeout: 600_000 }, () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    const src = writeClusters(dir, 'src', { format: 'npy', n: 240, classes: 3, features: 6, seed: 1 });
    const tgt = writeClusters(dir, 'tgt', { format: 'csv', n: 200, classes: 4, features: 6, seed: 2, shift: 0.5 });
    // an MLP 6 → 8 → 8: layer groups trunk.1, trunk.3 and the heads
    const pre = json<{ run: string; checkpoint: string }>(
      await polytask(
        [
          'pretrain',
          '-c',
          src.config,
          '--set',
          'model.hidden=[8,8]',
          '--epochs',
          '5',
          '--lr',
          '0.01',
          '--json',
          '-q',
          '--no-report',
        ],
        { runsDir },
      ),
    );
    const base = weightsOf(pre.checkpoint);
    const ft = async (
      strategy: string,
      ...extra: string[]
    ): Promise<Finetuned & { w: Record<string, Float32Array> }> => {
      const r = json<Finetuned>(
        await polytask(
          ['finetune', '-c', tgt.config, '--from', pre.run, '--strategy', strategy, '--batch-size', '16'].concat(
            extra,
            ['--json', '-q', '--no-report'],
          ),
          { runsDir },
        ),
      );
      assert.equal(r.status, 'completed');
      assert.equal(r.strategy, strategy);
      return { ...r, w: weightsOf(r.checkpoint) };
    };
    const moved = (w: Record<string, Float32Array>, name: string): number => distance(w[name]!, base[name]!);

    // linear probe: the trunk is bit-identical to the pre-trained one, the head learnt
    const probe = await ft('linear-probe', '--epochs', '10', '--lr', '0.05');
    for (const k of trunkNames(base)) assert.deepEqual(probe.w[k], base[k], k);
    // four balanced classes: chance is 0.25
    assert.ok(probe.accuracy > 0.4, `probe accuracy ${probe.accuracy}`);

    // full at a tiny rate stays by the pre-trained weights; scratch at the same rate starts anew
    const full = await ft('full', '--epochs', '2', '--lr', '1e-6');
    const scratch = await ft('scratch', '--epochs', '2', '--lr', '1e-6');
    assert.ok(moved(full.w, 'trunk.1.weight') > 0 && moved(full.w, 'trunk.1.weight') < 1e-3);
    assert.ok(moved(scratch.w, 'trunk.1.weight') > 0.5, `scratch moved ${moved(scratch.w, 'trunk.1.weight')}`);

    // gradual unfreezing: epoch 1 the head alone, epoch 2 also trunk.3, epoch 3 also trunk.1
    const g1 = await ft('gradual', '--epochs', '1');
    const g2 = await ft('gradual', '--epochs', '2');
    const g3 = await ft('gradual', '--epochs', '3');
    for (const k of trunkNames(base)) assert.deepEqual(g1.w[k], base[k], `gradual 1 epoch: ${k}`);
    assert.deepEqual(g2.w['trunk.1.weight'], base['trunk.1.weight']);
    assert.ok(moved(g2.w, 'trunk.3.weight') > 0);
    assert.ok(moved(g3.w, 'trunk.1.weight') > 0);

    // discriminative: per-group rates lr · decay^depth; the bottom group moves far less than in full
    const lr = 1e-2;
    const fullFast = await ft('full', '--epochs', '3', '--lr', String(lr));
    const disc = await ft('discriminative', '--epochs', '3', '--lr', String(lr), '--layer-decay', '0.01');
    assert.deepEqual(Object.keys(disc.groupRates!), ['trunk.1', 'trunk.3', 'heads']);
    assert.ok(Math.abs(disc.groupRates!.heads! - lr) < 1e-12);
    assert.ok(Math.abs(disc.groupRates!['trunk.3']! - lr * 0.01) < 1e-12);
    assert.ok(Math.abs(disc.groupRates!['trunk.1']! - lr * 1e-4) < 1e-12);
    const ratio = moved(disc.w, 'trunk.1.weight') / moved(fullFast.w, 'trunk.1.weight');
    assert.ok(ratio > 0 && ratio < 0.05, `discriminative/full movement of trunk.1: ${ratio}`);

    // L2-SP pulls the trunk towards the source weights: less movement than without it
    const l2sp = await ft('full', '--epochs', '3', '--lr', String(lr), '--l2sp-alpha', '10');
    const withL2sp = moved(l2sp.w, 'trunk.1.weight') + moved(l2sp.w, 'trunk.3.weight');
    const without = moved(fullFast.w, 'trunk.1.weight') + moved(fullFast.w, 'trunk.3.weight');
    assert.ok(withL2sp < 0.7 * without, `L2-SP ${withL2sp} vs none ${without}`);

    // BSS changes the training (its penalty has gradients), and the run completes
    const bss = await ft('full', '--epochs', '3', '--lr', String(lr), '--bss-eta', '1');
    assert.ok(maxDiff(bss.w['trunk.1.weight']!, fullFast.w['trunk.1.weight']!) > 0);

    // LP-FT: a probe phase then a fine-tuning phase, as two sections of the run's metrics
    const lpft = await ft('lp-ft', '--epochs', '2', '--probe-epochs', '3', '--probe-lr', '0.05');
    const sections = readFileSync(join(lpft.dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { section: string }).section);
    assert.deepEqual(sections, [
      'finetune/probe',
      'finetune/probe',
      'finetune/probe',
      'finetune/fine-tune',
      'finetune/fine-tune',
    ]);
    assert.ok(moved(lpft.w, 'trunk.1.weight') > 0);

    // LoRA: adapters on the trunk, merged; the merged model equals base + adapters within 1e-5
    const lora = await ft('lora', '--epochs', '3', '--lr', String(lr), '--lora-rank', '2', '--lora-alpha', '4');
    assert.deepEqual(lora.lora!.adapted, ['trunk.1', 'trunk.3']);
    assert.ok(lora.lora!.mergeMaxAbsDiff <= 1e-5, String(lora.lora!.mergeMaxAbsDiff));
    // trainable: A [2, in] and B [out, 2] of both layers, and the new head 8 → 4
    assert.equal(lora.lora!.trainable, 2 * (6 + 8) + 2 * (8 + 8) + 8 * 4 + 4);
    const adapter = loadSafetensors(lora.lora!.adapter);
    const unmerged = replaceHeads(loadPretrained(pre.checkpoint).model, [{ name: 'class', classes: 4 }]);
    injectLora(unmerged, { targets: 'trunk.*', rank: 2, alpha: 4 });
    unmerged.loadStateDict({ ...unmerged.stateDict(), ...adapter }, { strict: true });
    unmerged.eval();
    const x = new Tensor(tgt.x, [tgt.labels.length, 6]);
    const want = noGrad(() => unmerged.forward(x).class!.softmax(1));
    const merged = loadPretrained(lora.checkpoint).model;
    merged.eval();
    const got = noGrad(() => merged.forward(x).class!.softmax(1));
    assert.ok(maxDiff(got.data, want.data) <= 1e-5, `merged vs unmerged: ${maxDiff(got.data, want.data)}`);
    assert.ok(maxDiff(lora.w['trunk.1.weight']!, base['trunk.1.weight']!) > 0, 'the merge changed the trunk');

    // the saved result is an ordinary run: eval reproduces its accuracy, predict its outputs
    const evaluated = json<{ metrics: { accuracy: number } }>(
      await polytask(['eval', lora.run, '--json', '-q'], { runsDir }),
    );
    assert.equal(evaluated.metrics.accuracy, lora.accuracy);
    const predicted = json<{ predictions: { class: number; probability: number }[] }>(
      await polytask(['predict', lora.run, '--input', tgt.featuresNpy, '--json', '-q'], { runsDir }),
    );
    const classes = want.argmax(1).data;
    predicted.predictions.forEach((p, i) => {
      assert.equal(p.class, classes[i]);
      assert.ok(Math.abs(p.probability - want.data[i * 4 + p.class]!) <= 1e-5);
    });
  }),
);

test('finetune refuses what its strategies cannot do before any run directory exists', { timeout: 120_000 }, () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    const src = writeClusters(dir, 'src', { format: 'npy', n: 60, classes: 3, features: 4, seed: 1 });
    const pre = json<{ run: string }>(
      await polytask(
        ['pretrain', '-c', src.config, '--set', 'model.hidden=[4]', '--epochs', '1', '--json', '-q', '--no-report'],
        {
          runsDir,
        },
      ),
    );
    const before = runDirs(runsDir).length;
    const cases: [string[], RegExp][] = [
      [
        ['--strategy', 'lora', '--lora-targets', 'heads.nothing'],
        /finetune\.lora: .*"heads\.nothing" matches no Linear or Conv2d module; the model's linear and conv layers are trunk\.1, heads\.class/,
      ],
      [['--strategy', 'lora', '--lora-rank', '5'], /finetune\.lora: .*rank 5 is above the layer's 4/],
      [['--strategy', 'full', '--max-steps', '3'], /finetune: training\.maxSteps is not supported/],
      [['--strategy', 'gradual', '--layer-decay', '2'], /--layer-decay: finetune\.layerDecay: found 2/],
    ];
    for (const [flags, message] of cases) {
      const r = await polytask(['finetune', '-c', src.config, '--from', pre.run, ...flags, '-q'], { runsDir });
      assert.notEqual(r.code, 0, flags.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.equal(runDirs(runsDir).length, before);
  }),
);

interface StudyOut {
  run: string;
  dir: string;
  verdict: { study: string; outcome: string; headline: string; numbers: Record<string, unknown> };
  result: {
    budgets: number[];
    results: Record<string, Record<string, { mean: number; sd: number }>>;
    setup: {
      direction: string;
      source: { name: string; examples: number | null; checkpoint: string | null; testAccuracy: number | null };
      target: { name: string; classes: number };
      model: { arch: string; config: { inputs: number } };
    };
    runs: { strategy: string; budget: number; seed: number; accuracy: number }[];
  };
}

/** Keeps the study to a few seconds: two seeds, few epochs, a small MLP. */
const TINY_STUDY = [
  '--budgets',
  '5,10',
  '--strategies',
  'scratch,linear-probe,full',
  '--seeds',
  '0,1',
  '--set',
  'model.arch=mlp',
  '--set',
  'model.hidden=[16]',
  '--set',
  'source.epochs=3',
  '--set',
  'fineTune.minEpochs=3',
  '--set',
  'fineTune.epochBudget=10',
  '--no-report',
  '--json',
  '-q',
];

/** What every transfer study result holds, whatever its data. */
function assertStudyShape(s: StudyOut, targetClasses: number): void {
  assert.equal(s.verdict.study, 'transfer');
  assert.match(s.verdict.outcome, /^(helps|hurts|no-difference|inconclusive)/);
  assert.deepEqual(s.result.budgets, [5, 10]);
  assert.deepEqual(Object.keys(s.result.results).sort(), ['full', 'linear-probe', 'scratch']);
  for (const byBudget of Object.values(s.result.results)) {
    assert.deepEqual(Object.keys(byBudget).sort(), ['10', '5']);
    for (const { mean } of Object.values(byBudget)) assert.ok(mean >= 0 && mean <= 1);
  }
  assert.equal(s.result.runs.length, 3 * 2 * 2);
  assert.equal(s.result.setup.direction, 'custom');
  assert.equal(s.result.setup.target.classes, targetClasses);
  assert.ok(existsSync(join(s.dir, 'results-transfer.json')));
}

test(
  'study transfer from the user source data, and from a finished run, to the user target data',
  { timeout: 300_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      const src = writeClusters(dir, 'src', { format: 'npy', n: 240, classes: 3, features: 6, seed: 1 });
      const tgt = writeClusters(dir, 'tgt', { format: 'csv', n: 200, classes: 4, features: 6, seed: 2, shift: 0.5 });
      const fromData = json<StudyOut>(
        await polytask(['study', 'transfer', '--source', src.config, '--target', tgt.config, ...TINY_STUDY], {
          runsDir,
        }),
      );
      assertStudyShape(fromData, 4);
      assert.match(fromData.result.setup.source.name, /src-x\.npy/);
      assert.match(fromData.result.setup.target.name, /tgt\.csv/);
      // the source's training split: 80% of 240
      assert.equal(fromData.result.setup.source.examples, 192);
      assert.equal(fromData.result.setup.model.config.inputs, 6);
      assert.equal(fromData.result.setup.source.checkpoint, null);

      // from a finished run: its checkpoint is the source model, its data the source data; the source
      // accuracy is the run's own test accuracy (the same model on the same split)
      const pre = json<{ run: string; accuracy: number }>(
        await polytask(
          ['pretrain', '-c', src.config, '--set', 'model.hidden=[12]', '--epochs', '4', '--json', '-q', '--no-report'],
          {
            runsDir,
          },
        ),
      );
      const fromRun = json<StudyOut>(
        await polytask(['study', 'transfer', '--source', pre.run, '--target', tgt.config, ...TINY_STUDY], { runsDir }),
      );
      assertStudyShape(fromRun, 4);
      assert.match(fromRun.result.setup.source.checkpoint!, new RegExp(`${pre.run}/checkpoints/`));
      assert.deepEqual((fromRun.result.setup.model.config as unknown as { hidden: number[] }).hidden, [12]);
      assert.equal(fromRun.result.setup.source.testAccuracy, Number(pre.accuracy.toFixed(4)));
    }),
);

test(
  'study transfer: a missing or refused source or target is one line naming it, and no run directory',
  { timeout: 120_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      const src = writeClusters(dir, 'src', { format: 'npy', n: 60, classes: 3, features: 6, seed: 1 });
      const tgt = writeClusters(dir, 'tgt', { format: 'csv', n: 60, classes: 3, features: 5, seed: 2 });
      const missing = join(dir, 'missing.yaml');
      const cases: [string[], RegExp][] = [
        [['--source', missing, '--target', tgt.config], /--source .*missing\.yaml: no such file/],
        [['--source', src.config, '--target', missing], /--target .*missing\.yaml: no such file/],
        [
          ['--source', 'no-such-run', '--target', tgt.config],
          /--source no-such-run: neither .* nor a run \(no run 'no-such-run'/,
        ],
        [
          ['--source', 'resnet18:w.safetensors', '--target', tgt.config],
          // a zoo model with its weights file: given weights, and this file is not there
          /source\.weights: no such file or directory: .*w\.safetensors/,
        ],
        [
          ['--source', src.config, '--target', tgt.config, '--set', 'model.arch=mlp'],
          /target\.data: CSV file .*tgt\.csv \(60 rows\) gives examples of shape \[5\], the source .* \[6\]/,
        ],
        [
          ['--source', src.config, '--target', src.config, '--budgets', '100', '--set', 'model.arch=mlp'],
          /target\.budgets: class '0' of .* has 16 training examples, fewer than the budget of 100 per class/,
        ],
        [['--source', src.config, '--target', src.config], /model\.arch: cnn needs image inputs/],
      ];
      for (const [flags, message] of cases) {
        const r = await polytask(['study', 'transfer', ...flags, '-q'], { runsDir });
        assert.notEqual(r.code, 0, flags.join(' '));
        assert.match(r.stderr, message);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      }
      assert.deepEqual(runDirs(runsDir), []);
    }),
);
