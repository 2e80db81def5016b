/**
 * The data fingerprint (src/data/fingerprint.ts) as the commands use it: computed before a run
 * directory exists, written into it once it does, and on `--resume` recomputed (in the mode the
 * run recorded) and compared with the stored one: a change is a one-line CliError naming the
 * first changed, added or removed file, before anything is written, since resuming would mix two
 * versions of the data into one result.
 *
 * @example
 * const fp = resumeDir === undefined ? await fingerprintData(inputs) : await resumeFingerprint(resumeDir, inputs);
 * const run = RunSession.start(root, 'train', config);
 * writeDataFingerprint(run.dir, fp);
 */
import { basename } from 'node:path';
import {
  fingerprintChange,
  fingerprintData,
  readDataFingerprint,
  type DataFingerprint,
  type DataInputs,
} from '../data/fingerprint.js';
import { CliError } from './errors.js';

/**
 * The fingerprint of `inputs` for resuming the run in `dir`: recomputed in the stored mode and
 * checked against it (a CliError on any change); a run recorded before fingerprints gets a fresh one.
 *
 * @example
 * const fp = await resumeFingerprint(info.dir, { files: data.files });
 */
export async function resumeFingerprint(dir: string, inputs: DataInputs): Promise<DataFingerprint> {
  const stored = readDataFingerprint(dir);
  const now = await fingerprintData(inputs, stored === null ? {} : { mode: stored.mode });
  const change = stored === null ? null : fingerprintChange(stored, now);
  if (change !== null)
    throw new CliError(
      `--resume refused: ${change} since run ${basename(dir)} started; resuming would mix two versions of the data into one result (restore the data, or start a new run)`,
    );
  return now;
}
