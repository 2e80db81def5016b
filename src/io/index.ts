/**
 * Files in and out: safetensors state dicts and the atomic write every writer uses.
 *
 * @example
 * import { saveSafetensors, loadSafetensors } from './io/index.js';
 * saveSafetensors('model.safetensors', model.stateDict());
 */
export { writeFileAtomic, writeFileAtomicSync, syncDirSync, type FileData } from './atomic.js';
export {
  assertContainedWrite,
  guardRunDirectory,
  guardedAppendSync,
  guardedMkdirSync,
  guardedRemoveSync,
  guardedRenameSync,
} from './run-guard.js';
export {
  saveSafetensors,
  loadSafetensors,
  readSafetensorsHeader,
  encodeSafetensors,
  decodeSafetensors,
  type SafetensorsContents,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './safetensors.js';
