/**
 * `polytask report RUN`: draws a run's report again from what the run saved (its config,
 * metrics.jsonl and study results): report.html and the charts as PNGs. A failed run has no
 * report: the command says why it failed and exits with status 1.
 *
 * @example
 * polytask report 3fa2c1
 * polytask report runs/20260101-120000-main-3fa2c1 --no-png --json
 */
import type { Command } from 'commander';
import { loadRunData, writeReport } from '../../report/index.js';
import { contextOf } from '../context.js';
import { assertNoEscapingLinks } from '../../io/contained-paths.js';
import { CliError, EXIT } from '../errors.js';
import { describeFailure, failureOf, findRun } from '../run-store.js';

async function report(ref: string, flags: { png: boolean }, cmd: Command): Promise<void> {
  const { out, root } = contextOf(cmd);
  const found = findRun(root, ref);
  // a failed run has nothing to report on: say why, rather than draw an empty page
  const failure = found.status === 'failed' ? failureOf(found.summary) : null;
  if (found.status === 'failed')
    throw new CliError(
      `run ${found.id} failed${failure === null ? '' : ` ${describeFailure(failure)}`}; there is no report to write (see: polytask runs show ${found.id})`,
      EXIT.failure,
    );
  // the report writes report.html and charts/ into the run: never through a link out of it
  assertNoEscapingLinks(found.dir);
  const saved = loadRunData(found.dir);
  const { info } = saved;
  const written = await writeReport(info.dir, {
    title: `polytask ${info.kind}: run ${info.id}`,
    meta: [
      ['run', info.id],
      ['kind', info.kind],
      ['status', info.status],
      ['created', info.createdAt],
    ],
    config: saved.config,
    data: saved.data,
    png: flags.png,
  });
  out.result({ run: info.id, report: written.html, charts: written.chartIds, pngs: written.pngs }, () =>
    [
      `report: ${written.html}`,
      `${written.chartIds.length} charts${written.pngs.length > 0 ? `, PNGs in ${info.dir}/charts/` : ''}`,
    ].join('\n'),
  );
}

/**
 * Adds `report`.
 *
 * @example
 * registerReportCommand(program);
 */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description("write a run's report.html (and chart PNGs) from its saved results")
    .argument('<run>', 'run id, id suffix or directory')
    .option('--no-png', 'skip the chart PNGs')
    .action((ref: string, flags: { png: boolean }, cmd: Command) => report(ref, flags, cmd));
}
