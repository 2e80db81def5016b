/**
 * SIGKILL resumption: a training process killed at random instants (mid-step, mid-checkpoint
 * write, anywhere) and restarted from its newest complete checkpoint ends with weights bitwise
 * identical to a process never interrupted. The kill points are random; the message of a failure
 * names them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { latestCheckpoint, listCheckpoints, loadCheckpoint } from '../../src/train/index.js';
import { STEPS_PER_EPOCH, WORKER_EPOCHS } from './fixtures-problem.js';

const WORKER = fileURLToPath(new URL('./fixtures-kill-worker.js', import.meta.url));

interface WorkerRun {
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the worker; with `killAfter`, sends SIGKILL once it has printed that many step lines. */
function runWorker(args: string[], killAfter?: number): Promise<WorkerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let pending = '';
    let stderr = '';
    let steps = 0;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line.startsWith('step ')) steps++;
        if (killAfter !== undefined && steps >= killAfter && child.exitCode === null && !child.killed)
          child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ lines, code, signal, stderr }));
  });
}

test(
  'a run killed with SIGKILL at random steps and resumed ends with bitwise identical weights',
  { timeout: 60_000 },
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'polytask-kill-'));
    try {
      const refOut = join(root, 'reference.safetensors');
      const ref = await runWorker(['--dir', join(root, 'reference'), '--out', refOut]);
      assert.equal(ref.code, 0, ref.stderr);
      assert.equal(ref.lines[0], 'fresh');
      assert.equal(ref.lines.filter((l) => l.startsWith('step ')).length, WORKER_EPOCHS * STEPS_PER_EPOCH);

      const dir = join(root, 'killed');
      const out = join(root, 'killed.safetensors');
      const story: string[] = [];
      let kills = 0;
      for (let i = 0; i < 3; i++) {
        // at least 4 step lines: the checkpoint after step 3 is complete before the 4th line is printed
        const killAfter = 4 + Math.floor(Math.random() * 14);
        const run = await runWorker(['--dir', dir, '--out', out, '--delay-ms', '2'], killAfter);
        const last = run.lines.filter((l) => l.startsWith('step ')).at(-1) ?? 'no step';
        story.push(
          `run ${i}: ${run.lines[0]}, killed after ${killAfter} step lines (last seen: ${last}), ended by ${run.signal ?? `exit ${run.code}`}`,
        );
        if (run.signal === 'SIGKILL') kills++;
        else assert.equal(run.code, 0, `${story.join('; ')}\n${run.stderr}`);
      }
      assert.ok(kills >= 1, `no kill landed: ${story.join('; ')}`);
      const latest = latestCheckpoint(dir);
      assert.ok(latest !== null, `no complete checkpoint after the kills: ${story.join('; ')}`);
      assert.doesNotThrow(() => loadCheckpoint(latest.path), 'the newest checkpoint left by a kill loads and verifies');
      // keepLast 2, plus at most one per kill that landed between a manifest and its pruning
      assert.ok(
        listCheckpoints(dir).length <= 2 + kills,
        `older checkpoints are pruned: ${listCheckpoints(dir).length} left`,
      );

      const final = await runWorker(['--dir', dir, '--out', out]);
      story.push(`final: ${final.lines[0]}`);
      assert.equal(final.code, 0, `${story.join('; ')}\n${final.stderr}`);
      assert.match(final.lines[0]!, /^resumed \d+$/, story.join('; '));
      assert.ok(
        readFileSync(out).equals(readFileSync(refOut)),
        `weights differ from the uninterrupted run: ${story.join('; ')}`,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
);
