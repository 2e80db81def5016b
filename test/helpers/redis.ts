/**
 * A private `redis-server` for a test: started on a free port of 127.0.0.1 with no persistence
 * (`--save '' --appendonly no`), optionally with a password (for the default user, or for an ACL
 * user), optionally over TLS only (a self-signed certificate for 127.0.0.1 made with openssl, its
 * file in `caFile` for NODE_EXTRA_CA_CERTS), stopped and started again on the
 * same port (a Redis restart: its data is gone), and stopped at the end. Where redis-server is
 * not installed, `REDIS_SKIP` is the one line a test skips with (outside CI; in CI, .ci/run
 * installs it, and a missing one fails).
 *
 * @example
 * test('...', { skip: REDIS_SKIP }, async () => {
 *   const redis = await startRedis();
 *   try { ... redis.url ... } finally { await redis.stop(); }
 * });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REDIS_SERVER = '/usr/bin/redis-server';

/** Why the Redis tests skip (redis-server absent outside CI), or false. */
export const REDIS_SKIP: string | false =
  existsSync(REDIS_SERVER) || process.env.CI !== undefined
    ? false
    : `${REDIS_SERVER} is missing (apt-get install -y redis-server); the distributed-study tests are skipped`;

/** Why the TLS test skips (no openssl to make a certificate), or false. */
export const OPENSSL_SKIP: string | false =
  REDIS_SKIP !== false
    ? REDIS_SKIP
    : existsSync('/usr/bin/openssl')
      ? false
      : '/usr/bin/openssl is missing; the TLS test is skipped';

export interface TestRedisOptions {
  password?: string;
  /** The ACL user the password is for (default: the default user). */
  user?: string;
  /** TLS only (rediss://). */
  tls?: boolean;
}

export interface TestRedis {
  port: number;
  /** redis[s]://[user:password@]127.0.0.1:port/0 */
  url: string;
  /** The certificate to trust (TLS), else null. */
  caFile: string | null;
  /** Stops the server (SIGKILL: no data saved) and starts a fresh one on the same port after `downMs`. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Launch {
  port: number;
  options: TestRedisOptions;
  tlsDir: string | null;
}

async function launch({ port, options, tlsDir }: Launch): Promise<ChildProcess> {
  const { password, user } = options;
  const auth =
    password === undefined
      ? []
      : user === undefined
        ? ['--requirepass', password]
        : ['--user', user, 'on', `>${password}`, '~*', '&*', '+@all', '--user', 'default', 'off'];
  const tls =
    tlsDir === null
      ? ['--port', String(port)]
      : [
          '--port',
          '0',
          '--tls-port',
          String(port),
          '--tls-cert-file',
          join(tlsDir, 'cert.pem'),
          '--tls-key-file',
          join(tlsDir, 'key.pem'),
          '--tls-ca-cert-file',
          join(tlsDir, 'cert.pem'),
          '--tls-auth-clients',
          'no',
        ];
  const args = [...tls, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...auth];
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}: ${seen}`)), 10_000);
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code ?? '?'}: ${seen}`));
    });
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

/**
 * Starts a private redis-server (see the module comment).
 *
 * @example
 * const redis = await startRedis({ password: 's3cret' });
 */
export async function startRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const port = await freePort();
  const tlsDir = options.tls === true ? mkdtempSync(join(tmpdir(), 'polytask-redis-tls-')) : null;
  if (tlsDir !== null) {
    execFileSync(
      '/usr/bin/openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(tlsDir, 'key.pem'),
        '-out',
        join(tlsDir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  }
  const spec: Launch = { port, options, tlsDir };
  let child = await launch(spec);
  const credentials = options.password === undefined ? '' : `${options.user ?? ''}:${options.password}@`;
  return {
    port,
    url: `${tlsDir === null ? 'redis' : 'rediss'}://${credentials}127.0.0.1:${port}/0`,
    caFile: tlsDir === null ? null : join(tlsDir, 'cert.pem'),
    restart: async (downMs = 500) => {
      await kill(child);
      await new Promise((r) => setTimeout(r, downMs));
      child = await launch(spec);
    },
    stop: async () => {
      await kill(child);
      if (tlsDir !== null) rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}
