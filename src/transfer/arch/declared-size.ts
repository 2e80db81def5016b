/**
 * The size a stored architecture description declares, checked before the model is built: the
 * parameter count it implies (computed from the numbers alone, nothing allocated) must fit the
 * declared limits and the tensors actually present in the checkpoint. A `metadata.json` saying
 * `hidden: [20000, 20000]`, `classes: 5000000` or 200,000 layers beside a small safetensors file
 * is refused in a line instead of allocating gigabytes or overflowing the stack.
 *
 * @example
 * assertDescriptionFitsTensors(description, contents.model, 'runs/a/checkpoints/step-000010');
 */
import { ValueError } from '../../core/errors.js';
import { assertSafeKey } from '../../core/safe-keys.js';
import { checkDeclared, sizeLimits } from '../../core/size-limits.js';
import type { Tensor } from '../../tensor/index.js';
import type { ArchDescription } from './types.js';

/** Parameters a mismatching description may still build (4 MB) so that strict loading can name what differs. */
const SMALL_MODEL = 1_000_000;

const int = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const ints = (v: unknown, fallback: number[]): number[] => (Array.isArray(v) ? v.map((x) => int(x, 0)) : fallback);

/**
 * The parameters (and buffers) a description implies for the built-in architectures (mlp, cnn,
 * text, audio), or null for another architecture. A float: sizes past 2^53 stay comparable instead of wrapping.
 *
 * @example
 * declaredParameters({ arch: 'mlp', config: { inputs: 4, hidden: [8] }, tasks: [{ name: 't', classes: 3 }] }); // 67
 */
export function declaredParameters(d: ArchDescription): number | null {
  const c = (d.config ?? {}) as Record<string, unknown>;
  let total = 0;
  let feature: number;
  if (d.arch === 'mlp') {
    let width = int(c.inputs, 784);
    for (const h of ints(c.hidden, [128])) {
      total += width * h + h;
      width = h;
    }
    feature = width;
  } else if (d.arch === 'cnn') {
    let channels = int(c.inChannels, 1);
    let h = int(c.height, 28);
    let w = int(c.width, 28);
    for (const out of ints(c.channels, [32, 64])) {
      total += channels * out * 9 + out + (c.batchNorm === true ? 4 * out + 1 : 0);
      channels = out;
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
    }
    const flat = channels * h * w;
    const hidden = int(c.hidden, 128);
    if (hidden > 0) total += flat * hidden + hidden;
    feature = hidden > 0 ? hidden : flat;
  } else if (d.arch === 'text') {
    const dim = int(c.embedDim, 64);
    total += int(c.vocabSize, 0) * dim;
    if (c.encoder === 'transformer') {
      const linear = (i: number, o: number): number => i * o + o;
      total += int(c.maxLength, 0) * dim + 2 * dim + 2 * dim; // positions, token types, LayerNorm
      total += int(c.layers, 2) * (4 * linear(dim, dim) + linear(dim, 4 * dim) + linear(4 * dim, dim) + 4 * dim);
      total += linear(dim, dim); // pooler
    }
    const hidden = int(c.hidden, 0);
    if (hidden > 0) total += dim * hidden + hidden;
    feature = hidden > 0 ? hidden : dim;
  } else if (d.arch === 'audio') {
    const ch = int(c.channels, 32);
    const bn = (n: number): number => 4 * n + 1;
    total += int(c.inChannels, 1) * ch * 80 + ch + bn(ch);
    total +=
      ch * ch * 3 + ch + bn(ch) + ch * 2 * ch * 3 + 2 * ch + bn(2 * ch) + 2 * ch * 2 * ch * 3 + 2 * ch + bn(2 * ch);
    feature = 2 * ch;
  } else {
    return null;
  }
  for (const t of Array.isArray(d.tasks) ? d.tasks : []) total += feature * int(t?.classes, 0) + int(t?.classes, 0);
  return total;
}

/**
 * Refuses a description whose declared sizes pass the limits (tasks, classes, layers, parameters)
 * or imply more values than the checkpoint's tensors hold; `where` names the checkpoint.
 *
 * @example
 * assertDescriptionFitsTensors(meta, { 'heads.t.weight': w }, dir);
 */
export function assertDescriptionFitsTensors(
  d: ArchDescription,
  tensors: Readonly<Record<string, Tensor>>,
  where: string,
): void {
  const limits = sizeLimits();
  const c = (d.config ?? {}) as Record<string, unknown>;
  const at = `${where}/metadata.json`;
  if (Array.isArray(d.tasks)) checkDeclared(`${at}: tasks`, 'tasks', d.tasks.length, limits);
  for (const [i, t] of (Array.isArray(d.tasks) ? d.tasks : []).entries()) {
    if (typeof t?.name === 'string') assertSafeKey(t.name, `${at}: tasks[${i}].name`);
    checkDeclared(`${at}: tasks[${i}].classes`, 'classes', int(t?.classes, 0), limits);
  }
  for (const key of ['hidden', 'channels']) {
    if (Array.isArray(c[key])) checkDeclared(`${at}: config.${key}`, 'layers', (c[key] as unknown[]).length, limits);
  }
  const declared = declaredParameters(d);
  if (declared === null) return;
  checkDeclared(`${at}: the model it describes`, 'parameters', declared, limits);
  let present = 0;
  for (const t of Object.values(tensors)) present += t.size;
  // a small mismatch is left to strict loading, whose message names the keys and shapes at fault
  if (declared > present + SMALL_MODEL) {
    throw new ValueError(
      `checkpoint ${where}`,
      `model.safetensors does not fit the model metadata.json describes: ${declared} parameters declared, ${present} values stored`,
    );
  }
}
