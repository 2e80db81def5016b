/**
 * The multi-task study's grid of sub-runs: for every seed, the single-task baselines, each
 * weighting method (under each of the study's mixings, when it compares mixings, and pre-trained
 * on a mixture then fine-tuned on each task with `pretrainFinetune`), and (with the capacity check) single-task models of equal total capacity;
 * each one under its id `<label>-seed<seed>`. The study's own run and a worker that trains one
 * sub-run by id (sub-run.ts) build it with this one function, so both train the same thing.
 *
 * @example
 * const { grid, capacity } = mtlGrid(await loadStudyData(c), c);
 * grid[0]!.id; // 'single:left-seed0'
 */
import type { SubRun } from '../../study/index.js';
import { equalCapacityWidth } from '../capacity.js';
import { isZooArch } from '../../models/zoo/zoo-net.js';
import { multiTaskRuns, studyMixings, type MtlStudyConfig } from './config.js';
import type { StudyData } from './data.js';
import { studyModel, type RunSpec } from './run-one.js';

/** The equal-capacity trunk width and the parameter counts it was chosen from. */
export interface CapacityWidth {
  width: number;
  multi: number;
  single: number;
  equal: number;
}

/** The runs of one seed, in order. */
function plan(data: StudyData, c: MtlStudyConfig, seed: number, capacityWidth: number | null): RunSpec[] {
  const width = c.trunk.width;
  const runs: RunSpec[] = data.tasks.map((t) => ({ label: `single:${t.name}`, tasks: [t], method: 'ew', width, seed }));
  const mixings = studyMixings(c);
  for (const r of multiTaskRuns(c)) {
    const mixing = r.mixing === null ? undefined : mixings?.[r.mixing];
    runs.push({
      label: r.label,
      tasks: data.tasks,
      method: r.method,
      width,
      seed,
      ...(r.finetuneEpochs === undefined ? { affinity: true } : { finetuneEpochs: r.finetuneEpochs }),
      ...(r.unsupervised === undefined ? {} : { unsupervised: r.unsupervised }),
      ...(mixing === undefined ? {} : { mixing }),
    });
  }
  if (capacityWidth !== null)
    for (const t of data.tasks)
      runs.push({ label: `capacity:${t.name}`, tasks: [t], method: 'ew', width: capacityWidth, seed });
  return runs;
}

/** The trunk width at which T single-task models together have the multi-task model's parameters. */
function capacityWidthOf(data: StudyData, c: MtlStudyConfig): CapacityWidth {
  const multi = studyModel(data, data.tasks, c.trunk.width, c.trunk).numParameters();
  // the widest task head makes the budget binding for every task
  const widest = data.tasks.reduce((a, b) => (b.outputs > a.outputs ? b : a));
  const paramsAt = (w: number): number => studyModel(data, [widest], w, c.trunk).numParameters();
  const width = equalCapacityWidth(multi / data.tasks.length, paramsAt, c.trunk.width);
  return { width, multi, single: paramsAt(c.trunk.width), equal: paramsAt(width) };
}

/**
 * The study's sub-runs in grid order, and the equal-capacity width (null when the check is off).
 *
 * @example
 * mtlGrid(data, c).grid.map((r) => r.id);
 */
export function mtlGrid(
  data: StudyData,
  c: MtlStudyConfig,
): { grid: SubRun<RunSpec>[]; capacity: CapacityWidth | null } {
  // a zoo trunk has no width to narrow: no equal-capacity models for it
  const capacity =
    c.capacityCheck && data.tasks.length > 1 && !isZooArch(c.trunk.arch) ? capacityWidthOf(data, c) : null;
  const grid = c.seeds
    .flatMap((seed) => plan(data, c, seed, capacity?.width ?? null))
    .map((spec) => ({ id: `${spec.label}-seed${spec.seed}`, spec }));
  return { grid, capacity };
}
