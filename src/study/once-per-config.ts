/**
 * Loading once per config: the CLI checks a study's data before the run directory exists
 * (`dataInputs`, `check`) and the study then runs on it, and a worker trains many sub-runs of one
 * config in a row; each would load the same files again. Every study's loader is wrapped here: the
 * transfer study's (src/transfer/study/user-data.ts, pretrained.ts), the multi-task study's
 * (src/multitask/study/data.ts) and the end-to-end study's (src/endtoend/study-load.ts), and the
 * sub-run trainers a worker keeps per config.
 *
 * A loader wrapped here keeps what it loaded for the config last asked for, keyed by the config's
 * hash AND the files it read (`filesOf` the loaded value), each by its size and modification time
 * (the data fingerprint's cheap form, src/data/fingerprint.ts: nothing is read to compare): a
 * long-lived process (`polytask worker`) asked for the same config after the user edited a file
 * loads it again, instead of training on the old data. A file that was rewritten with the same
 * size within the same millisecond, or while it was being loaded (the files are stat'ed when the load
is done), is not noticed: the cheap form's limits. A load still under way
 * is shared as it is. A load that failed is forgotten, so that a call after the user fixed the file
 * loads again.
 *
 * @example
 * const loadStudyData = oncePerConfig(loadStudyDataUncached, (data) => data.files);
 * await loadStudyData(config); // loads
 * await loadStudyData(config); // the same promise
 * // the user rewrites one of data.files
 * await loadStudyData(config); // loads again
 */
import { fingerprintDigest, statFingerprint } from '../data/fingerprint.js';
import { configHash } from './sub-runs.js';

/** What a wrapped loader keeps of its last load. */
interface Kept<T> {
  hash: string;
  loaded: Promise<T>;
  /** The loaded files' sizes and modification times, once the load is done; null when they could not be stat'ed. */
  stamp: { files: readonly string[]; digest: string | null } | undefined;
}

/** The digest of `files`' sizes and modification times; null when one cannot be stat'ed (gone, unreadable). */
function stampOf(files: readonly string[]): string | null {
  try {
    return fingerprintDigest(statFingerprint({ files }));
  } catch {
    return null;
  }
}

/** Whether what `kept` loaded may be handed out again: its files are as they were when it loaded. */
function fresh<T>(kept: Kept<T>): boolean {
  if (kept.stamp === undefined) return true; // still loading: share the load under way
  const { files, digest } = kept.stamp;
  return digest !== null && stampOf(files) === digest;
}

/**
 * `load`, keeping its result for the last config (compared by hash) while the files it read
 * (`filesOf` its result) keep their size and modification time.
 *
 * @example
 * const cached = oncePerConfig(async (c: Config) => readFiles(c), (loaded) => loaded.files);
 */
export function oncePerConfig<C, T>(
  load: (config: C) => Promise<T>,
  filesOf: (loaded: T) => readonly string[],
): (config: C) => Promise<T> {
  let last: Kept<T> | null = null;
  return (config) => {
    const hash = configHash(config);
    if (last?.hash === hash && fresh(last)) return last.loaded;
    const loaded = load(config);
    const entry: Kept<T> = { hash, loaded, stamp: undefined };
    last = entry;
    loaded.then(
      (value) => {
        let files: readonly string[] = [];
        let digest: string | null = null;
        try {
          files = filesOf(value);
          digest = stampOf(files);
        } catch {
          // no list of files: never handed out again
        }
        entry.stamp = { files, digest };
      },
      () => {
        if (last === entry) last = null;
      },
    );
    return loaded;
  };
}
