/**
 * Picks which task's (or data source's) batch comes next, with given probabilities, from its own
 * random stream. That stream is seeded from the global one by default, so `manualSeed` fixes the
 * order of tasks as it fixes everything else, and its state is saved with checkpoints.
 *
 * @example
 * manualSeed(0);
 * const sampler = new TaskSampler(mixingRates(sizes, { strategy: 'temperature', temperature: 2 }));
 * sampler.next(); // 'a' or 'b'
 */
import { ValueError } from '../core/errors.js';
import { Rng, rng as globalRng } from '../core/rng.js';

/**
 * Draws names with fixed probabilities.
 *
 * @example
 * new TaskSampler({ a: 0.75, b: 0.25 }, 1).next();
 */
export class TaskSampler {
  readonly names: readonly string[];
  readonly #cumulative: Float64Array;
  readonly #rng: Rng;

  /** `rates` need not sum to 1 (they are normalised); `seed` defaults to a draw from the global stream. */
  constructor(rates: Readonly<Record<string, number>>, seed?: number) {
    const names = Object.keys(rates);
    if (names.length === 0) throw new ValueError('TaskSampler', 'needs at least one task');
    const values = names.map((n) => rates[n]!);
    const bad = values.findIndex((r) => !(Number.isFinite(r) && r >= 0));
    if (bad >= 0)
      throw new ValueError('TaskSampler', `rate of '${names[bad]}' must be a finite number >= 0, got ${values[bad]}`);
    const total = values.reduce((a, b) => a + b, 0);
    if (total === 0) throw new ValueError('TaskSampler', 'every rate is 0');
    let acc = 0;
    this.#cumulative = Float64Array.from(values, (r) => (acc += r / total));
    this.names = Object.freeze(names);
    this.#rng = new Rng(seed ?? globalRng.nextU32());
  }

  /** The next name. */
  next(): string {
    const u = this.#rng.uniform();
    const i = this.#cumulative.findIndex((c) => u < c);
    // rounding can leave the last cumulative value a hair under 1
    return this.names[i < 0 ? this.names.length - 1 : i]!;
  }

  /** The stream's state (JSON-exact), for checkpoints. */
  state(): number[] {
    const [a, b, c, d, spare] = this.#rng.getState() as [number, number, number, number, number];
    const words = [a >>> 0, b >>> 0, c >>> 0, d >>> 0];
    return Number.isNaN(spare) ? words : [...words, spare];
  }

  loadState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length < 4 || !state.slice(0, 4).every(Number.isInteger)) {
      throw new ValueError('TaskSampler.loadState', 'expected the array that state() returned');
    }
    this.#rng.setState(state);
  }
}
