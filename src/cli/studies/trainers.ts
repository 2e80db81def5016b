/**
 * The studies whose sub-runs a worker (another process, another machine) can train by id: the
 * multi-task study. The transfer study's fine-tuning runs start from the source model its
 * pre-training sub-run leaves in the run directory, and the end-to-end study's hybrids from the
 * pipeline of their seed, so both run on the local executor until their staged grids are
 * distributed too.
 *
 * @example
 * STUDY_TRAINERS.mtl!.ids(config);
 */
import { mtlSubRunTrainer } from '../../multitask/index.js';
import type { SubRunTrainers } from '../../study/index.js';

export const STUDY_TRAINERS: SubRunTrainers = { mtl: mtlSubRunTrainer };
