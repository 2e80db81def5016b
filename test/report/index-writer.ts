/**
 * A child process of the run-index concurrency test: waits until a shared start time, then puts
 * `count` runs into the index at `path`, each in its own transaction, as separate polytask
 * processes would.
 *
 * usage: node index-writer.js <index path> <writer id> <count> <start time ms>
 */
import { RunIndex, type RunInfo } from '../../src/report/index.js';

const [path, writer, countText, startText] = process.argv.slice(2) as [string, string, string, string];
const count = Number(countText);
// a busy wait, not a timer: every writer leaves its start line within a millisecond of the others
while (Date.now() < Number(startText)) {
  /* wait for the others */
}
const index = RunIndex.open(path);
for (let i = 0; i < count; i++) {
  const now = new Date().toISOString();
  const info: RunInfo = {
    id: `w${writer}-${String(i).padStart(4, '0')}`,
    kind: 'train',
    dir: `/runs/w${writer}-${i}`,
    createdAt: now,
    updatedAt: now,
    status: 'running',
    summary: {},
  };
  index.put(info, { writer, i });
  index.update({ ...info, status: 'completed', summary: { i } });
}
index.close();
