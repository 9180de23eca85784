/**
 * A tiny runner for KIKO's scheduled work (mail delivery, later the retention job). Each job runs in exactly one
 * process at a time, also with several server processes (KIKO_WORKERS > 1) or several `kiko serve` on one database:
 * before a run the process takes the job's lease row in `job_leases` (one atomic upsert that succeeds only when the
 * lease is free, expired, or already its own) and renews it while the run lasts. A process that dies stops renewing;
 * after the lease expires another process takes over. Errors are logged and recorded on the lease row, never thrown
 * into the server.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { jobLeaseTable } from '../../../../db/schema/index.ts';

export interface Job {
  /** Unique name, also the lease row's key. */
  name: string;
  /** Pause between the start of two runs. */
  intervalMs: number;
  /** The work; its return value is recorded as the run's summary. */
  run(now: Date): Promise<string | undefined>;
}

export interface JobRunnerOptions {
  /** Identity of this process in the lease rows. */
  holder?: string;
  /** How often the runner checks its jobs and renews its leases. */
  tickMs?: number;
  /** Lease lifetime without renewal (default: 3 ticks, at least 30 s). */
  leaseMs?: number;
  log?: (line: string) => void;
  clock?: () => Date;
}

export interface JobRunner {
  readonly holder: string;
  /** One round: renew the leases of running jobs, start due ones whose lease this process gets; waits for them. */
  tick(): Promise<void>;
  /** Stops the timer, waits for running jobs and gives the leases back. */
  stop(): Promise<void>;
}

/** Takes or renews the lease of a job; whether this process holds it now. */
export async function acquireLease(db: Db, name: string, holder: string, now: Date, leaseMs: number): Promise<boolean> {
  const until = now.getTime() + leaseMs;
  const rows = await db.all<{ name: string }>(sql`
    INSERT INTO ${jobLeaseTable} (name, holder, expires_at) VALUES (${name}, ${holder}, ${until})
    ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
     WHERE ${jobLeaseTable.holder} = excluded.holder OR ${jobLeaseTable.expiresAt} <= ${now.getTime()}
    RETURNING name`);
  return rows.length > 0;
}

export function createJobRunner(db: Db, jobs: readonly Job[], opts: JobRunnerOptions = {}): JobRunner & { start(): void } {
  const holder = opts.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const tickMs = opts.tickMs ?? 5_000;
  const leaseMs = opts.leaseMs ?? Math.max(3 * tickMs, 30_000);
  const log = opts.log ?? ((line: string) => console.error(line));
  const clock = opts.clock ?? (() => new Date());
  const running = new Map<string, Promise<void>>();
  const nextDue = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const record = async (name: string, values: Partial<typeof jobLeaseTable.$inferInsert>): Promise<void> => {
    await db
      .update(jobLeaseTable)
      .set(values)
      .where(and(eq(jobLeaseTable.name, name), eq(jobLeaseTable.holder, holder)));
  };

  const runJob = async (job: Job, now: Date): Promise<void> => {
    await record(job.name, { lastStartedAt: now });
    let ok = true;
    let summary: string | undefined;
    try {
      summary = await job.run(now);
    } catch (error) {
      ok = false;
      summary = (error as Error).message;
      log(`Geplante Aufgabe „${job.name}“ fehlgeschlagen: ${summary}`);
    }
    await record(job.name, { lastFinishedAt: clock(), lastOk: ok, lastResult: summary?.slice(0, 500) ?? null }).catch(() => {});
  };

  const tick = async (): Promise<void> => {
    if (stopped) return;
    const now = clock();
    const started: Promise<void>[] = [];
    for (const job of jobs) {
      try {
        if (running.has(job.name)) {
          await acquireLease(db, job.name, holder, now, leaseMs);
          continue;
        }
        if (now.getTime() < (nextDue.get(job.name) ?? 0)) {
          // keep holding the lease between runs, so the job stays in this process
          await acquireLease(db, job.name, holder, now, leaseMs);
          continue;
        }
        if (!(await acquireLease(db, job.name, holder, now, leaseMs))) continue;
        nextDue.set(job.name, now.getTime() + job.intervalMs);
        const run = runJob(job, now).finally(() => running.delete(job.name));
        running.set(job.name, run);
        started.push(run);
      } catch (error) {
        log(`Geplante Aufgaben: Zugriff auf die Datenbank fehlgeschlagen (${(error as Error).message}).`);
      }
    }
    await Promise.all(started);
  };

  return {
    holder,
    tick,
    start() {
      if (timer || stopped) return;
      const loop = (): void => {
        void tick().catch((e: unknown) => log(`Geplante Aufgaben: ${(e as Error).message}`));
      };
      timer = setInterval(loop, tickMs);
      timer.unref();
      loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await Promise.allSettled(running.values());
      await db
        .update(jobLeaseTable)
        .set({ expiresAt: new Date(0) })
        .where(eq(jobLeaseTable.holder, holder))
        .catch(() => {});
    },
  };
}
