/**
 * Progress bars for long work, on stderr and only on a terminal: one line per bar with the
 * current epoch, steps done of the total, the loss of each task, samples per second and the time
 * left. Off a terminal (CI logs, pipes) the same events print one short line per epoch instead,
 * and `--quiet` silences both.
 *
 * @example
 * const bars = new ProgressBars(out);
 * const bar = bars.bar('train', 1200);
 * bar.update(10, { epoch: '1/3', loss: 0.52, tasks: 'digit 0.52', rate: 5400, eta: 12 });
 * bars.stop();
 */
import cliProgress from 'cli-progress';
import { duration, num } from './format.js';
import type { Output } from './output.js';

/** What a bar shows besides its count. */
export interface BarState {
  epoch?: string;
  loss?: number;
  /** Per-task losses, already formatted ('left 0.31  right 0.42'). */
  tasks?: string;
  /** Training samples per second; undefined when unknown. */
  rate?: number;
  /** Seconds left; undefined when unknown. */
  eta?: number;
}

/** One bar; a no-op when bars are off. */
export interface Bar {
  update(done: number, state?: BarState): void;
  setTotal(total: number): void;
}

const NO_BAR: Bar = { update: () => undefined, setTotal: () => undefined };

/**
 * Per-task losses in a bar's little space: at most three tasks, the rest counted.
 *
 * @example
 * taskLosses({ a: 0.1234, b: 2 }); // 'a 0.123  b 2'
 */
export function taskLosses(losses: Record<string, number>): string {
  const entries = Object.entries(losses);
  const shown = entries
    .slice(0, 3)
    .map(([t, v]) => `${t} ${num(v, 3)}`)
    .join('  ');
  return entries.length > 3 ? `${shown}  +${entries.length - 3} tasks` : shown;
}

function payload(label: string, s: BarState): Record<string, string> {
  return {
    label,
    epoch: s.epoch === undefined || s.epoch === '' ? '' : ` epoch ${s.epoch}`,
    loss: s.loss === undefined ? '' : ` loss ${num(s.loss, 3)}`,
    tasks: s.tasks === undefined || s.tasks === '' ? '' : ` (${s.tasks})`,
    rate: s.rate === undefined || !(s.rate > 0) ? '' : ` ${Math.round(s.rate)} samples/s`,
    remaining: s.eta === undefined ? '' : ` ETA ${duration(s.eta)}`,
  };
}

/**
 * A set of bars drawn together; bars are created on demand and all stop at once.
 *
 * @example
 * const bars = new ProgressBars(out);
 */
export class ProgressBars {
  #multi: cliProgress.MultiBar | null = null;

  constructor(private readonly out: Output) {}

  /** Whether bars are drawn (a terminal, not quiet). */
  get enabled(): boolean {
    return this.out.bars;
  }

  /**
   * A new bar labelled `label` counting to `total`.
   *
   * @example
   * const bar = bars.bar('mtl/famo', 600);
   */
  bar(label: string, total: number): Bar {
    if (!this.enabled) return NO_BAR;
    this.#multi ??= new cliProgress.MultiBar(
      {
        stream: this.out.stderr as NodeJS.WriteStream,
        // 'remaining', not 'eta': cli-progress fills its own {eta} token, which would win over ours
        format: '{label} [{bar}] {value}/{total}{epoch}{loss}{tasks}{rate}{remaining}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        autopadding: true,
        // redraw at most 10 times a second: drawing must not slow the training it reports on
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    const b = this.#multi.create(Math.max(1, total), 0, payload(label, {}));
    return {
      update: (done, state = {}) => b.update(done, payload(label, state)),
      setTotal: (t) => b.setTotal(Math.max(1, t)),
    };
  }

  /**
   * A line for the person watching: above the bars while they are drawn (so they stay whole),
   * else as a note; dropped when quiet.
   *
   * @example
   * bars.log('train: epoch 1/3 loss 0.41');
   */
  log(line: string): void {
    if (this.#multi === null) return this.out.note(line);
    this.#multi.log(`${line}\n`);
    // drawn now: lines are rare (one an epoch), and a stop right after must not lose this one
    this.#multi.update();
  }

  /** Stops drawing (the bars stay on screen as they last were). */
  stop(): void {
    this.#multi?.stop();
    this.#multi = null;
  }
}
