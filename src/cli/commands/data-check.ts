/**
 * `polytask data check FILE`: the checks training runs before it starts, alone, and a summary of
 * the data. FILE is a training config (its `data:` section and seed: the same loading, split and
 * checks as `train`) or a multi-task task description (a file with `tasks:`). A failed check is
 * the same one-line error `train` would give, with a non-zero exit; warnings (duplicates across
 * the split, classes a budget leaves out) are listed. `--json` prints the summary as JSON.
 *
 * @example
 * polytask data check examples/train-table.yaml
 * polytask data check data/tasks.yaml --json
 */
import type { Command } from 'commander';
import { dataConfigSchema } from '../config/train-schema.js';
import { readConfigFile } from '../config/read-file.js';
import { validateConfig } from '../config/validate.js';
import { contextOf } from '../context.js';
import { loadData, type LoadedData } from '../../data/sources/index.js';
import { checkFinite, classCounts } from '../../data/validate.js';
import { loadTaskDescription, type TaskDescription } from '../../multitask/index.js';
import { num, table } from '../format.js';
import { recordFrom } from '../../core/safe-keys.js';

interface SplitSummary {
  examples: number;
  perClass: Record<string, number>;
}

/** The summary of a single-task data config. */
export interface SingleTaskSummary {
  file: string;
  kind: 'single-task';
  data: string;
  inputShape: number[];
  featureNames: string[] | null;
  classes: string[];
  train: SplitSummary;
  test: SplitSummary;
  missingLabels: { examples: number; fraction: number };
  duplicates: number;
  warnings: string[];
}

/** The summary of a task description. */
export interface MultiTaskSummary {
  file: string;
  kind: 'multi-task';
  sources: { name: string; examples: number; inputShape: number[] }[];
  tasks: {
    name: string;
    kind: string;
    source: string;
    outputs: number;
    labelled: number;
    missingFraction: number;
    perClass: Record<string, number> | null;
  }[];
  split: { testFraction: number; seed: number };
}

function perClass(labels: ArrayLike<number>, names: readonly string[]): Record<string, number> {
  const counts = classCounts(labels, names.length);
  return recordFrom(names.map((n, c) => [n, counts[c]!]));
}

/**
 * The summary of loaded single-task data.
 *
 * @example
 * singleTaskSummary('train.yaml', await loadData(config.data, config.seed)).train.examples;
 */
export function singleTaskSummary(file: string, d: LoadedData): SingleTaskSummary {
  const all = d.train.length + d.test.length + d.missingLabels;
  return {
    file,
    kind: 'single-task',
    data: d.description,
    inputShape: [...d.featureShape],
    featureNames: d.featureNames === undefined ? null : [...d.featureNames],
    classes: [...d.classNames],
    train: { examples: d.train.length, perClass: perClass(d.train.labels, d.classNames) },
    test: { examples: d.test.length, perClass: perClass(d.test.labels, d.classNames) },
    missingLabels: { examples: d.missingLabels, fraction: all === 0 ? 0 : d.missingLabels / all },
    duplicates: d.duplicates,
    warnings: [...d.warnings],
  };
}

/**
 * The summary of a task description, after checking every input is finite.
 *
 * @example
 * multiTaskSummary(await loadTaskDescription('tasks.yaml')).tasks[0].missingFraction;
 */
export function multiTaskSummary(t: TaskDescription): MultiTaskSummary {
  const sources = Object.entries(t.sources).map(([name, ds]) => {
    checkFinite(ds.features, ds.features.length / Math.max(1, ds.length), `${t.file}: input of ${name}`);
    return { name, examples: ds.length, inputShape: [...ds.featureShape] };
  });
  const tasks = t.tasks.map((task) => {
    const [source, ds] = Object.entries(t.sources).find(([, s]) => s.tasks.includes(task.name))!;
    const present = ds.present(task.name);
    const kept = present.reduce((a, b) => a + b, 0);
    let counts: Record<string, number> | null = null;
    if (task.kind === 'multiclass') {
      const labels = ds.batch(Int32Array.from({ length: ds.length }, (_, i) => i)).y[task.name]!.data;
      const names = Array.from({ length: task.outputs }, (_, c) => task.labelNames?.[c] ?? String(c));
      counts = perClass(
        Array.from(labels).filter((_, i) => present[i] === 1),
        names,
      );
    }
    return {
      name: task.name,
      kind: task.kind,
      source,
      outputs: task.outputs,
      labelled: ds.labelledCount(task.name),
      missingFraction: present.length === 0 ? 0 : 1 - kept / present.length,
      perClass: counts,
    };
  });
  return { file: t.file, kind: 'multi-task', sources, tasks, split: t.split };
}

const classLines = (s: SingleTaskSummary): string[][] =>
  s.classes.map((c) => [c, String(s.train.perClass[c] ?? 0), String(s.test.perClass[c] ?? 0)]);

function singleText(s: SingleTaskSummary): string {
  return [
    `${s.file}: ${s.data}`,
    `input shape [${s.inputShape.join(', ')}]${s.featureNames === null ? '' : `: ${s.featureNames.join(', ')}`}`,
    `${s.train.examples} training and ${s.test.examples} test examples, ${s.classes.length} classes; ${s.missingLabels.examples} without a label (${num(100 * s.missingLabels.fraction, 3)}%), dropped`,
    table([['class', 'train', 'test'], ...classLines(s)]),
    ...s.warnings.map((w) => `warning: ${w}`),
    s.warnings.length === 0 ? 'checks passed' : `checks passed with ${s.warnings.length} warning(s)`,
  ].join('\n');
}

function multiText(s: MultiTaskSummary): string {
  return [
    `${s.file}: ${s.tasks.length} tasks over ${s.sources.length} input(s); test fraction ${s.split.testFraction}`,
    table([
      ['input', 'examples', 'shape'],
      ...s.sources.map((x) => [x.name, String(x.examples), `[${x.inputShape.join(', ')}]`]),
    ]),
    table([
      ['task', 'kind', 'input', 'outputs', 'labelled', 'missing'],
      ...s.tasks.map((t) => [
        t.name,
        t.kind,
        t.source,
        String(t.outputs),
        String(t.labelled),
        `${num(100 * t.missingFraction, 3)}%`,
      ]),
    ]),
    ...s.tasks.flatMap((t) =>
      t.perClass === null
        ? []
        : [
            `${t.name}: ${Object.entries(t.perClass)
              .map(([c, n]) => `${c} ${n}`)
              .join(', ')}`,
          ],
    ),
    'checks passed',
  ].join('\n');
}

/** Whether a config file is a task description (it has `tasks:` and no `data:`). */
const isTaskDescription = (raw: Record<string, unknown>): boolean => 'tasks' in raw && !('data' in raw);

async function check(file: string, cmd: Command): Promise<void> {
  const { out } = contextOf(cmd);
  const raw = readConfigFile(file);
  if (isTaskDescription(raw)) {
    const s = multiTaskSummary(await loadTaskDescription(file));
    out.result(s, () => multiText(s));
    return;
  }
  const picked = recordFrom(Object.entries(raw).filter(([k]) => k === 'data' || k === 'seed'));
  const config = validateConfig(dataConfigSchema, picked, { file, overrides: [] });
  const s = singleTaskSummary(file, await loadData(config.data, config.seed));
  out.result(s, () => singleText(s));
}

/**
 * Adds `data check` to the `data` command.
 *
 * @example
 * registerDataCheck(program.command('data'));
 */
export function registerDataCheck(data: Command): void {
  data
    .command('check')
    .description('run the checks training runs on a config or task description, and summarise the data')
    .argument('<file>', 'a training config (its data section) or a multi-task task description (tasks.yaml)')
    .action((file: string, _f: unknown, cmd: Command) => check(file, cmd));
}
