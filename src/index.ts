/**
 * polytask: learning from multiple tasks in TypeScript, on its own tensor engine.
 *
 * @example
 * import { tensor, randn, nn, optim, manualSeed } from 'polytask';
 * manualSeed(0);
 * const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
 * const loss = nn.functional.crossEntropy(model.forward(randn([16, 4])), tensor(new Int32Array(16)));
 * opt.zeroGrad(); loss.backward(); opt.step();
 *
 * The engine and training layers load from here; the three ways of learning from many tasks are
 * subpath imports ('polytask/multitask', 'polytask/transfer', 'polytask/endtoend'). Their
 * schemas and study code would otherwise sit in every process's heap (12 MB instead of 5 after
 * import), and tensor memory triggers full collections often enough that marking that heap cost a
 * CNN training step several percent.
 */
import './backends/index.js'; // registers 'native' and 'js'
export * from './tensor/index.js';
export { manualSeed, rng, Rng } from './core/rng.js';
export { PolytaskError, ShapeError, DTypeError, ValueError, FormatError } from './core/errors.js';
export type { DType, TypedArray } from './core/dtype.js';
export {
  getBackend,
  setBackend,
  registerBackend,
  type BackendLoad,
  type BackendRegistration,
} from './backend/registry.js';
export { nativeAvailable } from './backends/native/index.js';
export type { Backend } from './backend/backend.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * from './io/index.js';
export * as data from './data/index.js';
export * as train from './train/index.js';
export * as study from './study/index.js';
