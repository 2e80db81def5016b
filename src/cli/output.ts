/**
 * Where the CLI's words go. Results go to stdout: as text, or as one JSON document with `--json`
 * (for scripts, so nothing else is ever written to stdout then). Progress and notes go to stderr,
 * and `--quiet` silences them (for CI). Progress bars are drawn only on a terminal.
 *
 * @example
 * const out = new Output({ json: false, quiet: false });
 * out.note('loading MNIST');
 * out.result({ accuracy: 0.97 }, () => 'accuracy 0.97');
 */

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  /** Streams, replaceable in tests. Default process.stdout / process.stderr. */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * The CLI's two streams and its modes.
 *
 * @example
 * new Output({ json: true, quiet: true }).result({ ok: true }, () => 'ok'); // prints {"ok": true}
 */
export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };

  constructor(opts: OutputOptions) {
    this.json = opts.json;
    this.quiet = opts.quiet;
    this.stdout = opts.stdout ?? process.stdout;
    this.stderr = opts.stderr ?? process.stderr;
  }

  /** Whether to draw progress bars: on a terminal, unless quiet. */
  get bars(): boolean {
    return !this.quiet && this.stderr.isTTY === true;
  }

  /**
   * A note for the person watching (what is happening, where files went), on stderr; dropped when quiet.
   *
   * @example
   * out.note(`run directory: ${run.dir}`);
   */
  note(line: string): void {
    if (!this.quiet) this.stderr.write(`${line}\n`);
  }

  /**
   * The command's result: `value` as JSON with --json, else the text `human()` returns.
   *
   * @example
   * out.result(runs, () => table(runs));
   */
  result(value: unknown, human: () => string): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else {
      const text = human();
      if (text !== '') this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }
}
