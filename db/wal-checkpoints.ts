/**
 * WAL checkpoints of a running server, off the thread that answers requests.
 *
 * SQLite in WAL mode with `synchronous = NORMAL` syncs to disk only when it copies the log back into the database
 * file (a checkpoint). By default the connection whose commit pushes the log past 1,000 pages does that copy and
 * both syncs itself — for KIKO's embedded file that is the server's main thread, in the middle of a request. On this
 * kind of machine the checkpoints were about half of what a learner's first visit to a lesson cost in SQLite (a progress
 * row and its fact: 65 µs per transaction without the syncs, 170 µs with them).
 *
 * `kiko serve` therefore (docs/decisions/002-libsql-local-writes.md, addendum of 2026-12-04)
 *  - lets the server's connections check point only once the log has grown to FALLBACK_AUTOCHECKPOINT_PAGES
 *    (a safety net should the checkpointer be gone), and
 *  - runs a worker thread with its own connection that makes a PASSIVE checkpoint every CHECKPOINT_INTERVAL_MS:
 *    it copies what no reader still needs, never waits for a lock and never blocks a writer.
 * What is committed stays as durable as before: a crash of the process loses nothing (the log is in the operating
 * system's cache); after a power cut the last commits since the previous sync may be missing, as with NORMAL before,
 * and now the syncs come a quarter of a second apart instead of whenever 1,000 pages have been written.
 * Other processes on the same file (CLI commands) keep SQLite's default.
 */
import { Worker } from 'node:worker_threads';

/** Set by `kiko serve` for its own process and its workers: connections leave checkpoints to the checkpointer. */
export const WAL_CHECKPOINTS_ENV = 'KIKO_WAL_CHECKPOINTS';
/** Pages the log may reach before a server connection checks point itself (4 KiB pages: about 40 MB). */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;
export const CHECKPOINT_INTERVAL_MS = 250;

/** Whether this process's connections leave checkpoints to a background checkpointer. */
export function checkpointsInBackground(): boolean {
  return process.env[WAL_CHECKPOINTS_ENV] === 'background';
}

/** The extra pragma of a server connection, if any. */
export function checkpointPragmas(): string[] {
  return checkpointsInBackground() ? [`PRAGMA wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`] : [];
}

export interface WalCheckpointer {
  /** Ends the thread after its current checkpoint. */
  stop(): Promise<void>;
}

/**
 * Starts the checkpointer thread for a local database file (`file:` URL). A thread that fails is started again after
 * a second and the failure is logged; nothing else depends on it (the fallback above keeps the log bounded).
 */
export function startWalCheckpointer(
  url: string,
  log: (line: string) => void,
  intervalMs: number = CHECKPOINT_INTERVAL_MS,
): WalCheckpointer {
  let worker: Worker | undefined;
  let stopping = false;
  let restart: NodeJS.Timeout | undefined;
  const start = (): void => {
    const w = new Worker(new URL('./wal-checkpoint-thread.ts', import.meta.url), { workerData: { url, intervalMs } });
    w.unref();
    w.on('error', (e) => log(`WAL-Checkpoints: ${(e as Error).message}`));
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      if (!stopping) restart = setTimeout(start, 1_000).unref();
    });
    worker = w;
  };
  start();
  return {
    async stop() {
      stopping = true;
      if (restart) clearTimeout(restart);
      const w = worker;
      if (!w) return;
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      w.postMessage('stop');
      await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 2_000).unref())]);
      if (worker === w) await w.terminate();
    },
  };
}
