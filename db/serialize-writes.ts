/**
 * In-process write coordination for an embedded libSQL file.
 *
 * The libSQL driver for local files is synchronous: a statement that waits for SQLite's write lock
 * blocks Node's event loop. If request A holds a write transaction (awaiting between its statements)
 * and request B's write waits inside SQLite's busy handler, A can never continue and both stall until
 * the busy timeout ends in SQLITE_BUSY. KIKO therefore
 *  1. queues write transactions and autocommit writes of this process in an async mutex, so only one
 *     holds the lock and nobody polls for it, and
 *  2. keeps SQLite's own busy wait short and retries SQLITE_BUSY asynchronously with backoff, which
 *     covers autocommit writes and other processes using the same file.
 * Several server processes (KIKO_WORKERS > 1) share one queue: a worker's write lock is granted by the
 * cluster's primary in arrival order (ClusterWriteLock / createWriteLockBroker). Without it the processes
 * would meet only at SQLite's lock, where waiting is polling: under load some writers starved for
 * seconds and requests failed with SQLITE_BUSY.
 * See docs/decisions/002-libsql-local-writes.md.
 */
import cluster from 'node:cluster';
import type { Client, Transaction, TransactionMode } from '@libsql/client';

/** How long a statement may keep retrying SQLITE_BUSY before the error is passed on. */
export const BUSY_RETRY_MS = 15_000;

export function isBusyError(e: unknown): boolean {
  const err = e as { code?: string; rawCode?: number; message?: string; cause?: unknown } | undefined;
  return (
    err?.code === 'SQLITE_BUSY' ||
    err?.rawCode === 5 ||
    /SQLITE_BUSY|database is locked/.test(String(err?.message ?? '')) ||
    (err?.cause !== undefined && isBusyError(err.cause))
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function retryBusy<T>(fn: () => Promise<T>, budgetMs = BUSY_RETRY_MS): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isBusyError(e) || Date.now() > deadline) throw e;
      await sleep(Math.min(25, 1 + attempt) + Math.random() * 3);
    }
  }
}

/** Whether a statement (string or { sql }) writes; reads run in parallel under WAL. */
export function isWrite(stmt: unknown): boolean {
  const sql = typeof stmt === 'string' ? stmt : ((stmt as { sql?: string } | undefined)?.sql ?? '');
  return !/^\s*(select|with\s[\s\S]*?\)\s*select|pragma\s+\w+\s*(;|$)|explain)/i.test(sql);
}

/** A FIFO async mutex. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => {
      release = r;
    });
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return ready;
  }
}

export interface WriteLock {
  acquire(): Promise<() => void>;
}

/** Messages between a worker's ClusterWriteLock and the primary's broker. */
export type WriteLockMessage =
  | { type: 'kiko:write-acquire'; id: number }
  | { type: 'kiko:write-release'; id: number }
  | { type: 'kiko:write-granted'; id: number };

const isWriteLockMessage = (m: unknown): m is WriteLockMessage =>
  typeof (m as { id?: unknown } | null)?.id === 'number' && String((m as { type?: unknown }).type).startsWith('kiko:write-');

/**
 * The write lock of a cluster worker: requests of this process queue locally first (one asks the primary at
 * a time), then the primary grants the lock to one worker after the other.
 */
export class ClusterWriteLock implements WriteLock {
  #local = new Mutex();
  #granted = new Map<number, () => void>();
  #seq = 0;
  #send: (m: WriteLockMessage) => void;
  constructor(send: (m: WriteLockMessage) => void) {
    this.#send = send;
  }
  /** Feed every message from the primary here. */
  receive(m: unknown): void {
    if (isWriteLockMessage(m) && m.type === 'kiko:write-granted') {
      this.#granted.get(m.id)?.();
      this.#granted.delete(m.id);
    }
  }
  async acquire(): Promise<() => void> {
    const releaseLocal = await this.#local.acquire();
    const id = ++this.#seq;
    await new Promise<void>((resolve) => {
      this.#granted.set(id, resolve);
      this.#send({ type: 'kiko:write-acquire', id });
    });
    return () => {
      this.#send({ type: 'kiko:write-release', id });
      releaseLocal();
    };
  }
}

/**
 * The primary's side: grants the write lock to one worker at a time, in the order asked. A worker that exits
 * while holding or waiting is dropped (its process is gone, so is its SQLite transaction).
 */
export function createWriteLockBroker<W>(grant: (worker: W, m: WriteLockMessage) => void): {
  receive(worker: W, m: unknown): void;
  workerGone(worker: W): void;
} {
  const queue: { worker: W; id: number }[] = [];
  let holder: { worker: W; id: number } | null = null;
  const next = (): void => {
    holder = queue.shift() ?? null;
    if (holder) grant(holder.worker, { type: 'kiko:write-granted', id: holder.id });
  };
  return {
    receive(worker, m) {
      if (!isWriteLockMessage(m)) return;
      if (m.type === 'kiko:write-acquire') {
        queue.push({ worker, id: m.id });
        if (!holder) next();
      } else if (m.type === 'kiko:write-release' && holder?.worker === worker && holder.id === m.id) next();
    },
    workerGone(worker) {
      for (let i = queue.length - 1; i >= 0; i--) if (queue[i]?.worker === worker) queue.splice(i, 1);
      if (holder?.worker === worker) next();
    },
  };
}

let clusterLock: ClusterWriteLock | undefined;

/** The lock for a new client: shared through the primary in a cluster worker, else one per client. */
function writeLockForClient(): WriteLock {
  if (!cluster.isWorker || !process.send) return new Mutex();
  if (!clusterLock) {
    const lock = new ClusterWriteLock((m) => process.send?.(m));
    process.on('message', (m: unknown) => lock.receive(m));
    clusterLock = lock;
  }
  return clusterLock;
}

/** Wraps a local-file client: write transactions are queued, SQLITE_BUSY is retried without blocking. */
export function serializeWrites(client: Client, writeLock: WriteLock = writeLockForClient()): Client {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop === 'transaction') {
        return async (mode: TransactionMode = 'write'): Promise<Transaction> => {
          if (mode === 'read') return retryBusy(() => target.transaction(mode));
          const release = await writeLock.acquire();
          try {
            return releasingOnEnd(await retryBusy(() => target.transaction(mode)), release);
          } catch (e) {
            release();
            throw e;
          }
        };
      }
      if (prop === 'execute')
        return async (...args: unknown[]) => {
          if (!isWrite(args[0])) return retryBusy(() => value.apply(target, args));
          // autocommit writes queue behind open write transactions instead of polling SQLite's lock
          const release = await writeLock.acquire();
          try {
            return await retryBusy(() => value.apply(target, args));
          } finally {
            release();
          }
        };
      if (prop === 'batch' || prop === 'migrate' || prop === 'executeMultiple')
        return async (...args: unknown[]) => {
          const release = await writeLock.acquire();
          try {
            return await retryBusy(() => value.apply(target, args));
          } finally {
            release();
          }
        };
      return value.bind(target);
    },
  });
}

function releasingOnEnd(tx: Transaction, release: () => void): Transaction {
  let released = false;
  const done = (): void => {
    if (!released) {
      released = true;
      release();
    }
  };
  return new Proxy(tx, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop === 'commit' || prop === 'rollback')
        return async (...args: unknown[]) => {
          try {
            return await value.apply(target, args);
          } finally {
            done();
          }
        };
      if (prop === 'close')
        return (...args: unknown[]) => {
          try {
            return value.apply(target, args);
          } finally {
            done();
          }
        };
      return value.bind(target);
    },
  });
}
