/**
 * Loading once per config: the CLI checks a study's data before the run directory exists
 * (`dataInputs`, `check`) and the study then runs on it, and a worker trains many sub-runs of one
 * config in a row; each would load the same files again. The transfer study's loaders use it
 * (src/transfer/study/user-data.ts, pretrained.ts); the mtl and e2e studies' could. A loader wrapped here keeps what it
 * loaded for the config last asked for (by its hash), and forgets a load that failed, so that a
 * call after the user fixed the file loads again.
 *
 * @example
 * const loadStudyData = oncePerConfig(loadStudyDataUncached);
 * await loadStudyData(config); // loads
 * await loadStudyData(config); // the same promise
 */
import { configHash } from './sub-runs.js';

/**
 * `load`, keeping its result for the last config (compared by hash).
 *
 * @example
 * const cached = oncePerConfig(async (c: Config) => readFiles(c));
 */
export function oncePerConfig<C, T>(load: (config: C) => Promise<T>): (config: C) => Promise<T> {
  let last: { hash: string; loaded: Promise<T> } | null = null;
  return (config) => {
    const hash = configHash(config);
    if (last?.hash === hash) return last.loaded;
    const loaded = load(config);
    const entry = { hash, loaded };
    last = entry;
    loaded.catch(() => {
      if (last === entry) last = null;
    });
    return loaded;
  };
}
