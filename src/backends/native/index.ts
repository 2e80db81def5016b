/**
 * Loads the N-API addon (build/Release/polytask_native.node) and wraps it as a Backend:
 * native kernels override the JS reference ones they accelerate; the rest are inherited.
 */
import type { Backend } from '../../backend/backend.js';

export interface NativeLoad {
  backend: Backend | null;
  reason: string;
}

let cached: NativeLoad | null = null;

export function loadNativeBackend(): NativeLoad {
  if (cached === null) cached = { backend: null, reason: 'the native addon is not built yet' };
  return cached;
}
