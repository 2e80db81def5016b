/**
 * bf16 pre-training parity (issue 18): reads pairs of transfer-study results, one pre-training seed
 * each, trained wholly in fp32 and wholly in bf16, and prints the paired differences over the
 * seeds: the source task's test accuracy and the linear probe's mean accuracy (over its budgets
 * and fine-tuning seeds), each with 95% and 90% Student t intervals (the 90% one is the two
 * one-sided tests' interval for an equivalence margin at the 5% level).
 *
 * The files are what `polytask --json study transfer ...` prints, named `pre-fp32-s<S>.json` and
 * `pre-bf16-s<S>.json` in DIR (README, "Mixed precision (bf16)", gives the loop that writes them).
 *
 * usage: node dist/bench/bf16-parity.js DIR
 *
 * @example
 * node dist/bench/bf16-parity.js /tmp/parity
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { mean, tInterval } from '../src/study/stats.js';

const studyJson = z.object({
  result: z.object({
    setup: z.object({ source: z.object({ testAccuracy: z.number() }) }),
    runs: z.array(z.object({ strategy: z.string(), budget: z.number(), seed: z.number(), accuracy: z.number() })),
  }),
});

interface Pretraining {
  /** Source-task test accuracy, %. */
  source: number;
  /** Probe accuracy %, keyed `budget/seed`. */
  probe: Map<string, number>;
}

function read(path: string): Pretraining {
  const parsed = studyJson.safeParse(JSON.parse(fs.readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`${path}: not the JSON of a transfer study (${parsed.error.issues[0]?.message})`);
  const { setup, runs } = parsed.data.result;
  const probe = new Map(
    runs.filter((r) => r.strategy === 'linear-probe').map((r) => [`${r.budget}/${r.seed}`, r.accuracy * 100]),
  );
  if (probe.size === 0) throw new Error(`${path}: no linear-probe runs`);
  return { source: setup.source.testAccuracy * 100, probe };
}

function interval(label: string, diffs: readonly number[]): string {
  const f = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;
  const i95 = tInterval(diffs, 0.95);
  const i90 = tInterval(diffs, 0.9);
  const lower = diffs.filter((d) => d < 0).length;
  return `${label}: ${f(i95.mean)} [${f(i95.low)}, ${f(i95.high)}] (95%), [${f(i90.low)}, ${f(i90.high)}] (90%); sd ${i95.sd.toFixed(2)}, ${lower} of ${diffs.length} lower`;
}

function main(): void {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: node dist/bench/bf16-parity.js DIR');
  const seeds = fs
    .readdirSync(dir)
    .map((f) => /^pre-fp32-s(\d+)\.json$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined && fs.existsSync(join(dir, `pre-bf16-s${s}.json`)))
    .map(Number)
    .sort((a, b) => a - b);
  if (seeds.length < 2) throw new Error(`${dir}: fewer than two seeds with both pre-fp32-sS.json and pre-bf16-sS.json`);
  const source: number[] = [];
  const probe: number[] = [];
  console.log('| pre-training seed | source fp32 | bf16 | Δ | probe fp32 | bf16 | Δ |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of seeds) {
    const a = read(join(dir, `pre-fp32-s${s}.json`));
    const b = read(join(dir, `pre-bf16-s${s}.json`));
    const keys = [...a.probe.keys()];
    if (keys.length !== b.probe.size || !keys.every((k) => b.probe.has(k)))
      throw new Error(`seed ${s}: the fp32 and bf16 studies ran different probe budgets or seeds`);
    const pa = mean(keys.map((k) => a.probe.get(k)!));
    const pb = mean(keys.map((k) => b.probe.get(k)!));
    source.push(b.source - a.source);
    probe.push(pb - pa);
    const row = [a.source, b.source, b.source - a.source, pa, pb, pb - pa].map((v) => v.toFixed(2));
    console.log(`| ${s} | ${row.join(' | ')} |`);
  }
  console.log(interval('source accuracy, bf16 − fp32', source));
  console.log(interval('probe accuracy, bf16 − fp32', probe));
}

main();
