/**
 * Everything a trainer must save to resume bit-exactly, and its restoration: model weights,
 * optimizer moments and hyperparameters, scheduler, data loader (epoch, position, shuffle stream),
 * the global random stream (dropout, initialisation), extra stateful objects, and the trainer's
 * own counters and history.
 *
 * @example
 * const contents = snapshotTraining(parts, counters, metadata);
 * saveCheckpoint(dir, contents);
 * const counters2 = restoreTraining(parts, loadCheckpoint(path));
 */
import { rng } from '../core/rng.js';
import type { AnyModule } from '../nn/index.js';
import type { GroupOptions, Optimizer, OptimizerStateDict, ParamState } from '../optim/index.js';
import type { EpochRecord } from './callbacks.js';
import type { CheckpointContents } from './checkpoint.js';
import { CheckpointError } from './errors.js';
import type { LossTallyState } from './loss-tally.js';
import type { JsonValue } from './state-codec.js';
import type { ResumableLoader, SchedulerLike, Stateful } from './trainer-options.js';
import { recordFrom } from '../core/safe-keys.js';

/** The objects whose state a checkpoint holds. */
export interface TrainingParts {
  model: AnyModule;
  optimizer: Optimizer<GroupOptions, ParamState>;
  scheduler: SchedulerLike | null;
  loader: ResumableLoader<unknown>;
  stateful: Readonly<Record<string, Stateful>>;
}

/** The trainer's own counters. */
export interface TrainerCounters {
  /** Steps completed. */
  stepsDone: number;
  /** Epochs completed (end-of-epoch work included). */
  epoch: number;
  /** Batches done in the current epoch. */
  batchIndex: number;
  tally: LossTallyState;
  history: EpochRecord[];
}

/** The `state` part of a trainer's checkpoint. */
interface SavedState {
  trainer: TrainerCounters;
  loader: unknown;
  rng: number[];
  scheduler?: unknown;
  stateful: Record<string, unknown>;
}

/**
 * The checkpoint contents of a training run at this instant.
 *
 * @example
 * saveCheckpoint('runs/a', snapshotTraining(parts, counters));
 */
export function snapshotTraining(
  parts: TrainingParts,
  counters: TrainerCounters,
  metadata?: JsonValue,
): CheckpointContents {
  const state: SavedState = {
    trainer: counters,
    loader: parts.loader.state(),
    rng: rng.getState(),
    stateful: recordFrom(Object.entries(parts.stateful).map(([k, s]) => [k, s.stateDict()])),
  };
  if (parts.scheduler !== null) state.scheduler = parts.scheduler.stateDict();
  const contents: CheckpointContents = {
    step: counters.stepsDone,
    epoch: counters.epoch,
    model: parts.model.stateDict(),
    optimizer: parts.optimizer.stateDict(),
    state,
  };
  if (metadata !== undefined) contents.metadata = metadata;
  return contents;
}

function isSavedState(v: unknown): v is SavedState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  const t = s['trainer'] as Record<string, unknown> | undefined;
  return (
    typeof t === 'object' &&
    t !== null &&
    Number.isInteger(t['stepsDone']) &&
    Number.isInteger(t['epoch']) &&
    Number.isInteger(t['batchIndex']) &&
    Array.isArray(t['history']) &&
    Array.isArray(s['rng']) &&
    typeof s['stateful'] === 'object' &&
    s['stateful'] !== null
  );
}

/**
 * Loads checkpoint `contents` into the training objects and returns the trainer's counters. The
 * checkpoint must come from a trainer built the same way: same parameters, the same scheduler
 * (or none), the same stateful names; otherwise a CheckpointError (or the model's StateDictError)
 * says what differs.
 *
 * @example
 * const counters = restoreTraining(parts, loadCheckpoint('runs/a/step-00000120-epoch-0003'));
 */
export function restoreTraining(
  parts: TrainingParts,
  contents: CheckpointContents & { path: string },
): TrainerCounters {
  const { path } = contents;
  const state = contents.state;
  if (!isSavedState(state)) throw new CheckpointError(path, 'state.json does not hold a trainer state');
  if (contents.optimizer === undefined) throw new CheckpointError(path, 'holds no optimizer state');
  if ((state.scheduler === undefined) !== (parts.scheduler === null)) {
    throw new CheckpointError(
      path,
      state.scheduler === undefined
        ? 'holds no scheduler state, but the trainer has a scheduler'
        : 'holds a scheduler state, but the trainer has no scheduler',
    );
  }
  const saved = Object.keys(state.stateful).sort();
  const here = Object.keys(parts.stateful).sort();
  if (saved.join('\0') !== here.join('\0')) {
    throw new CheckpointError(
      path,
      `holds stateful objects [${saved.join(', ')}], the trainer has [${here.join(', ')}]`,
    );
  }
  parts.model.loadStateDict(contents.model, { strict: true });
  parts.optimizer.loadStateDict(contents.optimizer as OptimizerStateDict);
  // after the optimizer, whose saved hyperparameters include the lr this sets again
  if (parts.scheduler !== null) parts.scheduler.loadStateDict(state.scheduler);
  parts.loader.loadState(state.loader);
  for (const [k, s] of Object.entries(parts.stateful)) s.loadStateDict(state.stateful[k]);
  rng.setState(state.rng);
  return state.trainer;
}
