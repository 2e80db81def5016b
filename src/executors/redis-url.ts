/**
 * Redis URLs as `--redis` takes them: `redis://[user[:password]@]host[:port][/db]`, or
 * `rediss://` for TLS. `redisOptions` turns one into connection options (reconnecting for as long
 * as it takes, so that a restarted Redis is waited for, not failed on); `redactRedisUrl` is the
 * form that may be printed or written: the password replaced by `***`. Error messages name the
 * redacted URL only.
 *
 * @example
 * redactRedisUrl('redis://poly:s3cret@queue-host:6379/2'); // 'redis://poly:***@queue-host:6379/2'
 * new Queue('polytask', { connection: redisOptions(url) });
 */
import { ValueError } from '../core/errors.js';

/** Connection options for ioredis and BullMQ. */
export interface RedisConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** TLS (rediss://), verifying the server's certificate against the system's CAs. */
  tls?: { servername: string };
  /** BullMQ's workers need commands to wait, not fail, while Redis is away. */
  maxRetriesPerRequest: null;
  /** Reconnects with a growing delay, up to 2 s, for ever. */
  retryStrategy: (times: number) => number;
}

/**
 * `url` with its password replaced by `***` (safe to print or store); unparseable text becomes
 * 'an invalid Redis URL' rather than being echoed.
 *
 * @example
 * redactRedisUrl('rediss://:pw@cache:6380'); // 'rediss://:***@cache:6380'
 */
export function redactRedisUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'an invalid Redis URL';
  }
  if (u.password !== '') u.password = '***';
  return u.toString().replace(/\/$/, '');
}

/**
 * Connection options for `url` (see the module comment); a URL of another scheme, without a host,
 * or with a db that is not a whole number is a ValueError naming the redacted URL.
 *
 * @example
 * redisOptions('redis://127.0.0.1:6390/0'); // { host: '127.0.0.1', port: 6390, db: 0, ... }
 */
export function redisOptions(url: string): RedisConnection {
  const shown = redactRedisUrl(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ValueError('--redis', `${shown}: expected redis://[user:password@]host[:port][/db] or rediss://...`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new ValueError('--redis', `${shown}: the scheme must be redis:// or rediss:// (TLS)`);
  if (u.hostname === '') throw new ValueError('--redis', `${shown}: no host`);
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0)
    throw new ValueError('--redis', `${shown}: the database after the host must be a whole number, found '${path}'`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port: u.port === '' ? 6379 : Number(u.port),
    db,
    ...(u.username === '' ? {} : { username: decodeURIComponent(u.username) }),
    ...(u.password === '' ? {} : { password: decodeURIComponent(u.password) }),
    ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  };
}
