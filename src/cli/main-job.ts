/**
 * The main job (`npm start`): the whole story on the embedded MNIST in one run directory. A
 * transfer study (does pre-training on digits 0-4 help digits 5-9 with few labels?), a multi-task
 * study (do two digits in one image learn better together?) and an end-to-end vs pipeline study
 * (one model for the sum of two digits, or a digit classifier and an adder?), each at small
 * settings (`--quick`: smaller still), then the three verdicts with their key numbers and one
 * report with every chart. A study that fails is reported and the others still run.
 *
 * With `workers` (`npm start` without `--quick`: 2 on a machine of 2 cores or more), each study's
 * sub-runs are trained in that many worker processes on this machine (src/cli/study-executor.ts;
 * they share the thread budget, so on 2 cores two one-thread runs go side by side): the records,
 * and so the verdicts, are those of a local run at one thread.
 *
 * Every study records its finished sub-runs in the run's `subruns/<study>/`, so a job stopped by
 * Ctrl-C continues with `npm start -- --resume RUN`: the stored configs, every recorded sub-run
 * taken as it is (a finished study is only summed up again), the rest trained.
 *
 * @example
 * const summary = await runMainJob({ quick: true, studies: STUDIES, ctx, overrides: [] });
 * summary.report; // '/abs/runs/20260101-120000-main-3fa2c1/report.html'
 */
import { join } from 'node:path';
import {
  CONFIG_FILE,
  readMetrics,
  readRunConfig,
  writeReport,
  METRICS_FILE,
  type ReportData,
  type RunInfo,
  type Verdict,
} from '../report/index.js';
import type { FileSubRunStore } from '../study/index.js';
import { applyOverrides, type Override } from './config/overrides.js';
import { validateConfig } from './config/validate.js';
import type { CliContext } from './context.js';
import { CliError, errorLine } from './errors.js';
import { duration } from './format.js';
import { whileInterruptible } from './interrupt.js';
import { findRun, otherKind, resumeCommand, RunSession } from './run-store.js';
import { openSubRuns, runStudy, StudyStopped, type StudyRunContext } from './studies/run-study.js';
import type { Study, StudyKey } from './studies/types.js';
import { verdictLines } from './studies/verdict.js';
import type { MainCase } from './cases/index.js';
import { prepareWithProgress } from './prepare-data-set.js';
import { recordFrom } from '../core/safe-keys.js';
import { studyExecutor } from './study-executor.js';

export interface MainJobOptions {
  quick: boolean;
  studies: readonly Study[];
  ctx: CliContext;
  /** `--set transfer.target.budgets=[5,50]`: keys of the studies' presets, prefixed by the study. */
  overrides: readonly Override[];
  /** A stopped main job's run (id or directory) to continue, with the settings it started with. */
  resume?: string;
  /** `--case NAME`: real data sets instead of the embedded MNIST; `studies` are then the case's. */
  case?: MainCase;
  /** Train each study's sub-runs in this many worker processes (2 or more); absent or 1: here. */
  workers?: number | undefined;
}

/** How each study went. */
export interface StudyOutcome {
  key: StudyKey;
  title: string;
  seconds: number;
  verdict: Verdict | null;
  /** The error line of a study that failed. */
  error: string | null;
}

export interface MainJobSummary {
  run: string;
  dir: string;
  quick: boolean;
  seconds: number;
  /** 'stopped' after Ctrl-C. */
  status: 'completed' | 'stopped' | 'failed';
  studies: StudyOutcome[];
  report: string | null;
  charts: string[];
  /** The command that continues a stopped or failed job. */
  resume: string | null;
}

/** A study with its validated config, ready to run in a run: its result comes back as report data. */
interface PreparedStudy {
  key: StudyKey;
  title: string;
  /** The validated config, as the run's config.json stores it. */
  config: unknown;
  run(ctx: StudyRunContext): Promise<{ data: ReportData; verdict: Verdict }>;
}

/** `study` with its config validated from `raw` (an error names `origin`). */
function prepare(study: Study, raw: unknown, origin: Parameters<typeof validateConfig>[2]): PreparedStudy {
  return study.use((d) => {
    const config = validateConfig(d.schema, raw, origin);
    return {
      key: d.key,
      title: d.title,
      config,
      run: async (ctx) => {
        const { result } = await runStudy(d, config, ctx);
        return { data: d.report(result), verdict: d.verdict(result) };
      },
    };
  });
}

/** Each study with its validated config: its preset with the overrides aimed at it applied. */
function studyConfigs(o: MainJobOptions): Map<StudyKey, PreparedStudy> {
  const preset = o.quick ? 'quick' : 'main';
  return new Map(
    o.studies.map((s) => {
      const mine = o.overrides
        .filter((v) => v.path.startsWith(`${s.key}.`))
        .map((v) => ({ ...v, path: v.path.slice(s.key.length + 1) }));
      const raw = applyOverrides(s.presets[preset], mine);
      return [s.key, prepare(s, raw, { file: `the ${s.key} study's ${preset} settings`, overrides: mine })];
    }),
  );
}

/** The stored settings of a run: `quick`, the case and each study's config, whatever they hold. */
function storedSettings(dir: string): { quick: boolean; case: string | null; studies: Map<string, unknown> } {
  const stored = readRunConfig(dir);
  if (typeof stored !== 'object' || stored === null) return { quick: false, case: null, studies: new Map() };
  const fields = new Map(Object.entries(stored));
  const studies = fields.get('studies');
  const named = fields.get('case');
  return {
    quick: fields.get('quick') === true,
    case: typeof named === 'string' ? named : null,
    studies: new Map(typeof studies === 'object' && studies !== null ? Object.entries(studies) : []),
  };
}

/** A stopped job's settings, as stored in its run, validated again; flags may not change them. */
function storedConfigs(
  o: MainJobOptions,
  ref: string,
): { quick: boolean; configs: Map<StudyKey, PreparedStudy>; resumed: RunInfo } {
  if (o.overrides.length > 0)
    throw new CliError(
      `--resume continues the main job with the settings it started with: drop ${o.overrides[0]!.source}`,
    );
  const info = findRun(o.ctx.root, ref);
  if (info.kind !== 'main') throw otherKind(info, o.ctx.root);
  const stored = storedSettings(info.dir);
  if (stored.case !== (o.case?.name ?? null))
    throw new CliError(
      stored.case === null
        ? `run ${info.id} is the main job on the embedded MNIST: resume it without --case`
        : `run ${info.id} is the main job's ${stored.case} case: resume it with --case ${stored.case}`,
    );
  const configs = new Map(
    o.studies.map((s) => [
      s.key,
      prepare(s, stored.studies.get(s.key), {
        file: `the ${s.key} study's settings in ${join(info.dir, CONFIG_FILE)}`,
      }),
    ]),
  );
  return { quick: stored.quick, configs, resumed: info };
}

/**
 * Runs the studies in one run directory, writes the report, and returns what happened.
 *
 * @example
 * const { studies } = await runMainJob(options);
 * studies.map((s) => s.verdict?.headline);
 */
export async function runMainJob(o: MainJobOptions): Promise<MainJobSummary> {
  const { out, bars, root } = o.ctx;
  const started = Date.now();
  const unknown = o.overrides.filter((v) => !o.studies.some((s) => v.path.startsWith(`${s.key}.`)));
  if (unknown.length > 0)
    throw new CliError(
      `${unknown[0]!.source}: expected a key of one study, prefixed by ${o.studies.map((s) => `${s.key}.`).join(', ')}`,
    );
  const { quick, configs, resumed } =
    o.resume === undefined ? { quick: o.quick, configs: studyConfigs(o), resumed: null } : storedConfigs(o, o.resume);
  const openAll = (dir: string): Map<StudyKey, FileSubRunStore> =>
    new Map(o.studies.map((s) => [s.key, openSubRuns(dir, s.key, configs.get(s.key)?.config, out)]));
  // opened before the run is marked running again: records of other settings refuse the resume
  const recorded = resumed === null ? null : openAll(resumed.dir);
  // the case's data sets are built (once, into the cache) before the run exists: a missing package stops here
  for (const name of o.case?.datasets ?? []) await prepareWithProgress(bars, name);
  const on = o.case === undefined ? 'the embedded MNIST' : o.case.title;
  const runConfig = {
    quick,
    ...(o.case === undefined ? {} : { case: o.case.name }),
    studies: recordFrom([...configs].map(([key, p]) => [key, p.config])),
  };
  const run =
    resumed === null ? RunSession.start(root, 'main', runConfig) : RunSession.reopen(root, resumed, runConfig);
  const subRuns = recorded ?? openAll(run.dir);
  out.note(`polytask main job${quick ? ' (quick)' : ''}: ${o.studies.length} studies on ${on}, run ${run.id}`);
  if (resumed !== null)
    out.note(
      `resuming: ${[...subRuns.values()].reduce((n, r) => n + r.size, 0)} sub-runs already recorded are not trained again`,
    );
  let reportData: ReportData = {};
  const outcomes: StudyOutcome[] = [];
  // one Ctrl-C handler for all the studies: a Ctrl-C that comes as one study ends its training
  // stops the job before the next study rather than being lost between two handlers
  const status = await whileInterruptible(out, async (signal): Promise<MainJobSummary['status']> => {
    let reached: MainJobSummary['status'] = 'completed';
    for (const [i, s] of o.studies.entries()) {
      if (signal.aborted) return 'stopped';
      out.note(`[${i + 1}/${o.studies.length}] ${s.title} study`);
      const t0 = Date.now();
      const prepared = configs.get(s.key)!;
      const store = subRuns.get(s.key)!;
      // worker processes only when asked for (never $POLYTASK_REDIS's queue: that is `polytask study`'s)
      const executor =
        o.workers === undefined || o.workers < 2
          ? undefined
          : await studyExecutor(
              { workers: String(o.workers) },
              s.key,
              out,
            )?.({
              runId: run.id,
              config: prepared.config,
              subRuns: store.root,
            });
      try {
        const { data, verdict } = await prepared.run({ run, out, bars, subRuns: store, signal, executor });
        reportData = { ...reportData, ...data };
        outcomes.push({ key: s.key, title: s.title, seconds: (Date.now() - t0) / 1000, verdict, error: null });
        out.note(`[${i + 1}/${o.studies.length}] ${s.title}: done in ${duration((Date.now() - t0) / 1000)}`);
      } catch (err) {
        if (err instanceof StudyStopped) return 'stopped';
        reached = 'failed';
        outcomes.push({
          key: s.key,
          title: s.title,
          seconds: (Date.now() - t0) / 1000,
          verdict: null,
          error: errorLine(err),
        });
        out.note(`[${i + 1}/${o.studies.length}] ${s.title}: failed: ${errorLine(err)}`);
      } finally {
        await executor?.close();
      }
    }
    return reached;
  });
  const seconds = (Date.now() - started) / 1000;
  const written = await writeReport(run.dir, {
    title: `polytask: learning from multiple tasks on ${o.case === undefined ? 'MNIST' : o.case.title}`,
    meta: [
      ['run', run.id],
      ['settings', quick ? 'quick' : 'small'],
      ['time', duration(seconds)],
      ['status', status],
    ],
    config: runConfig,
    data: { metrics: readMetrics(join(run.dir, METRICS_FILE)), ...reportData },
  });
  run.finish(status, {
    seconds,
    ...recordFrom(outcomes.map((s) => [s.key, s.verdict?.headline ?? s.error])),
  });
  const resume = status === 'completed' ? null : resumeCommand(run.info, root);
  return {
    run: run.id,
    dir: run.dir,
    quick,
    seconds,
    status,
    studies: outcomes,
    report: written.html,
    charts: written.pngs,
    resume,
  };
}

/**
 * The summary as the terminal shows it: each study's verdict and numbers, then where the report is.
 *
 * @example
 * out.result(summary, () => mainJobText(summary));
 */
export function mainJobText(s: MainJobSummary): string {
  const lines = [`polytask main job${s.quick ? ' (quick)' : ''}: ${s.status} in ${duration(s.seconds)}`, ''];
  for (const st of s.studies) {
    lines.push(
      ...(st.verdict === null ? [`${st.title}: FAILED ${st.error ?? ''}`] : verdictLines(st.verdict, st.title)),
      '',
    );
  }
  if (s.report !== null) lines.push(`report: ${s.report}`);
  if (s.charts.length > 0) lines.push(`charts (PNG): ${join(s.dir, 'charts')}/`);
  if (s.resume !== null) lines.push(`resume with: ${s.resume}`);
  return lines.join('\n');
}
