/**
 * The checkpointer thread (wal-checkpoints.ts): its own connection to the database file, a PASSIVE checkpoint at each
 * interval. PASSIVE copies the frames no reader needs any more and returns at once when a lock is taken, so the
 * server's readers and writers never wait for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createClient } from '@libsql/client';

const { url, intervalMs } = workerData as { url: string; intervalMs: number };
const client = createClient({ url });
let stopped = false;
parentPort?.on('message', (m) => {
  if (m === 'stop') stopped = true;
});

while (!stopped) {
  try {
    await client.execute('PRAGMA wal_checkpoint(PASSIVE)');
  } catch {
    // the file is busy (a backup or restore) or being replaced: the next round tries again
  }
  await new Promise((r) => setTimeout(r, intervalMs));
}
client.close();
