/**
 * The studies whose sub-runs a worker (another process, another machine) trains by id: all
 * three. The transfer study's fine-tuning runs start from the source model its pre-training
 * leaves in the run's sub-run directory, and the end-to-end study's hybrids from their seed's
 * pipeline there, so those two studies run in stages (the sub-runs others start from first) and
 * their workers need the run directory, shared at the same path on every machine.
 *
 * @example
 * await STUDY_TRAINERS.mtl!.ids(config);
 */
import { e2eSubRunTrainer } from '../../endtoend/index.js';
import { mtlSubRunTrainer } from '../../multitask/index.js';
import type { SubRunTrainers } from '../../study/index.js';
import { transferSubRunTrainer } from '../../transfer/index.js';

export const STUDY_TRAINERS: SubRunTrainers = {
  transfer: transferSubRunTrainer,
  mtl: mtlSubRunTrainer,
  e2e: e2eSubRunTrainer,
};
