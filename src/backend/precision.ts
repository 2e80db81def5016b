/**
 * The precision matmul and the convolutions compute at: 'fp32', or 'bf16' (both operands rounded
 * to bfloat16, products summed in fp32, fp32 results). One process-wide setting, which
 * `autocast` (src/tensor/autocast.ts) sets around its callback and the tape restores for each
 * backward; backends follow it: the JS backend reads it in its matmul, the native backend
 * subscribes and sets its GEMM's mode (native/kernels/gemm_bf16.h). Storage, every other op,
 * master weights and optimizer state stay fp32 whatever the setting.
 *
 * @example
 * onComputePrecision((p) => addon.setGemmPrecision(p));
 * setComputePrecision('bf16'); // ... matmuls in bf16 ...
 * setComputePrecision('fp32');
 */
import { ValueError } from '../core/errors.js';

export const PRECISIONS = ['fp32', 'bf16'] as const;
export type Precision = (typeof PRECISIONS)[number];

let current: Precision = 'fp32';
const listeners: Array<(p: Precision) => void> = [];

/** The precision in force now. */
export function computePrecision(): Precision {
  return current;
}

/** Sets the precision for the whole process and tells the subscribed backends; returns the previous one. */
export function setComputePrecision(p: Precision): Precision {
  const prev = current;
  if (p !== prev) {
    current = p;
    for (const l of listeners) l(p);
  }
  return prev;
}

/** Calls `listener` with the precision in force now and on every change after. */
export function onComputePrecision(listener: (p: Precision) => void): void {
  listeners.push(listener);
  listener(current);
}

/**
 * `value` as a Precision, or a ValueError naming `what` and the precisions there are.
 *
 * @example
 * parsePrecision('bf16', 'autocast'); // 'bf16'
 */
export function parsePrecision(value: unknown, what: string): Precision {
  if (typeof value === 'string' && (PRECISIONS as readonly string[]).includes(value)) return value as Precision;
  throw new ValueError(what, `unknown precision ${JSON.stringify(value)}, expected ${PRECISIONS.join(' or ')}`);
}
