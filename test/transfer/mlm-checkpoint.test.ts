/**
 * An MLM pre-training saves its vocabulary inside its checkpoint (tokenizer.json, with [MASK], in
 * the manifest), and `polytask finetune --from` that checkpoint reads its text with it: the round
 * trip pre-train → fine-tune → predict on the planted corpus of mlm-text.ts. Without the saved
 * vocabulary the fine-tuning could not run at all (the target's own words make a vocabulary of 26
 * ids, the model reads 27), and a tampered tokenizer.json is refused in one line before any run
 * directory exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextTokenizer } from '../../src/data/text/tokenizer.js';
import { readCheckpointFile } from '../../src/train/index.js';
import { loadPretrained } from '../../src/transfer/checkpoint.js';
import { resolveStudyConfig } from '../../src/transfer/study/config.js';
import { MASK, pretrainMlmSource, withMaskToken } from '../../src/transfer/study/mlm-source.js';
import { loadStudyData } from '../../src/transfer/study/user-data.js';
import { polytask, withTempDir } from '../cli/helpers.js';
import { tinyStudy, WORDS, windowAt, writeText } from './mlm-text.js';

test('the vocabulary with [MASK] is one id past the words, and text never encodes to it', () => {
  const tok = TextTokenizer.build(['wa wb wc', 'wb wc'], { lowercase: true, minCount: 1, maxSize: 10 });
  const saved = TextTokenizer.fromJson(withMaskToken(tok), 'tokenizer.json');
  assert.equal(saved.vocabSize, tok.vocabSize + 1);
  const lines = ['wa wb wc', `wc ${MASK} wa`, '[mask] unknown'];
  assert.deepEqual(saved.encode(lines, 5), tok.encode(lines, 5));
  assert.ok(!saved.encode(lines, 5).includes(tok.vocabSize));
});

test(
  'an MLM checkpoint holds its tokenizer.json; finetune --from it reads text with it, and predict too',
  { timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      const files = writeText(dir);
      const saveDir = join(dir, 'saved');
      const study = tinyStudy(files);
      const c = resolveStudyConfig({ ...study, source: { ...study.source, epochs: 2, save: saveDir } } as never);
      const data = await loadStudyData(c);
      const { record } = await pretrainMlmSource(c, data, {});
      assert.ok(record.checkpoint !== null && record.checkpoint.startsWith(saveDir));
      // the vocabulary is in the checkpoint, listed in its manifest, the size of the model's embedding
      const text = readCheckpointFile(record.checkpoint, 'tokenizer.json')!.toString('utf8');
      const saved = TextTokenizer.fromJson(text, 'tokenizer.json');
      const model = loadPretrained(record.checkpoint).description.config as { vocabSize: number };
      assert.equal(saved.vocabSize, 27);
      assert.equal(model.vocabSize, 27);
      assert.equal(text, data.text?.tokenizer);
      // the target's text, encoded by the saved vocabulary, gives the ids the study fine-tunes on
      const row = (i: number): number[] => Array.from(data.targetPool.images.subarray(8 * i, 8 * i + 8));
      const words = (ids: number[]): string =>
        ids
          .filter((id) => id !== 0)
          .map((id) => WORDS.find((w) => saved.ids(w)[0] === id)!)
          .join(' ');
      assert.deepEqual(Array.from(saved.encode([words(row(0))], 8)), row(0));

      // fine-tune from the saved directory (its newest checkpoint) on a text table with no tokenizer
      const runsDir = join(dir, 'runs');
      const config = join(dir, 'finetune.json');
      writeFileSync(
        config,
        JSON.stringify({
          data: { source: 'text', file: files.train, textColumn: 'text', label: 'label', maxLength: 8 },
          training: { epochs: 2 },
        }),
      );
      const ran = await polytask(
        ['finetune', '-c', config, '--from', saveDir, '--strategy', 'full', '--json', '-q', '--no-report'],
        { runsDir },
      );
      assert.equal(ran.code, 0, ran.stderr);
      const done = JSON.parse(ran.stdout) as { status: string; dir: string; run: string };
      assert.equal(done.status, 'completed');
      assert.equal(readFileSync(join(done.dir, 'tokenizer.json'), 'utf8'), text);
      const lines = join(dir, 'new.txt');
      writeFileSync(lines, `${windowAt(0, 4)}\n${windowAt(12, 4)}\n`);
      const predicted = await polytask(['predict', done.run, '--input', lines, '--json'], { runsDir });
      assert.equal(predicted.code, 0, predicted.stderr);
      assert.equal((JSON.parse(predicted.stdout) as { predictions: unknown[] }).predictions.length, 2);

      // a tokenizer.json changed after saving is refused in one line, before a run directory exists
      writeFileSync(join(record.checkpoint, 'tokenizer.json'), text.replace('"wa"', '"wz"'));
      const runs = readdirSync(runsDir).filter((n) => !n.startsWith('index')).length;
      const bad = await polytask(['finetune', '-c', config, '--from', saveDir, '-q', '--no-report'], { runsDir });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /tokenizer\.json is damaged/);
      assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
      assert.equal(readdirSync(runsDir).filter((n) => !n.startsWith('index')).length, runs);
      assert.ok(existsSync(record.checkpoint));
    }),
);
