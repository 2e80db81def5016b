/**
 * How the CLI fails: every error becomes one line on stderr, `polytask: <what is wrong>`, and a
 * non-zero exit status; the stack trace only with `--debug`. Errors the user can fix (a bad
 * config, an unknown run, a wrong flag) are CliErrors with exit status 2; polytask's own errors
 * (a shape mismatch, a corrupt file) keep their message and exit with 1.
 *
 * @example
 * throw new CliError('examples/a.yaml: training.epochs: found "x", expected an integer');
 * errorLine(new Error('a\nb')); // 'polytask: a; b'
 * errorLine(enoent);               // 'polytask: data/train.csv: no such file or folder'
 */
import { PolytaskError } from '../core/errors.js';

/** Exit statuses the CLI uses. */
export const EXIT = {
  ok: 0,
  failure: 1,
  /** Wrong usage or config. */
  usage: 2,
  /** Stopped by Ctrl-C after a clean checkpoint (128 + SIGINT). */
  interrupted: 130,
} as const;

/**
 * An error the user caused and can fix; its message is the whole story (no stack needed).
 *
 * @example
 * throw new CliError(`no run '${ref}' in ${root}`);
 */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}

/** What a failed file system call says, in words, by its error code. */
const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of this path is not a folder',
  EISDIR: 'is a folder, expected a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/**
 * A file system error (Node's ENOENT and kin, which carry the path) as `<path>: <what is wrong>`;
 * null for any other error. The path is the one the failed call was given: the user's file, or a
 * file polytask writes inside the folder the user named.
 *
 * @example
 * systemErrorMessage(Object.assign(new Error('ENOENT...'), { code: 'ENOENT', path: 'x.csv' })); // 'x.csv: no such file or folder'
 */
export function systemErrorMessage(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const { code, path } = err as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof path !== 'string') return null;
  const what = SYSTEM_ERRORS[code];
  return what === undefined ? null : `${path}: ${what}`;
}

/**
 * The one line printed for an error: the message with line breaks folded, prefixed `polytask: `.
 *
 * @example
 * errorLine(new RangeError('bad')); // 'polytask: RangeError: bad'
 */
export function errorLine(err: unknown): string {
  const message = !(err instanceof Error)
    ? String(err)
    : (systemErrorMessage(err) ??
      // polytask's errors and plain Errors carry self-explanatory messages; built-in ones keep their name
      (err instanceof PolytaskError || err instanceof CliError || err.name === 'Error'
        ? err.message
        : `${err.name}: ${err.message}`));
  return `polytask: ${message.replace(/\s*\n\s*/g, '; ').trim()}`;
}

/**
 * The exit status for an error.
 *
 * @example
 * exitCodeOf(new CliError('x')); // 2
 */
export function exitCodeOf(err: unknown): number {
  return err instanceof CliError ? err.exitCode : EXIT.failure;
}
