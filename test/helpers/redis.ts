/**
 * A private `redis-server` for a test: started on a free port of 127.0.0.1 with no persistence
 * (`--save '' --appendonly no`), optionally with a password, stopped and started again on the
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
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

const REDIS_SERVER = '/usr/bin/redis-server';

/** Why the Redis tests skip (redis-server absent outside CI), or false. */
export const REDIS_SKIP: string | false = existsSync(REDIS_SERVER) || process.env.CI !== undefined
  ? false : `${REDIS_SERVER} is missing (apt-get install -y redis-server); the distributed-study tests are skipped`;

export interface TestRedis {
  port: number;
  /** redis://[:password@]127.0.0.1:port/0 */
  url: string;
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

async function launch(port: number, password: string | null): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...(password === null ? [] : ['--requirepass', password])];
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
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited with ${code ?? '?'}: ${seen}`)); });
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
export async function startRedis(options: { password?: string } = {}): Promise<TestRedis> {
  const password = options.password ?? null;
  const port = await freePort();
  let child = await launch(port, password);
  return {
    port,
    url: `redis://${password === null ? '' : `:${password}@`}127.0.0.1:${port}/0`,
    restart: async (downMs = 500) => {
      await kill(child);
      await new Promise((r) => setTimeout(r, downMs));
      child = await launch(port, password);
    },
    stop: () => kill(child),
  };
}
