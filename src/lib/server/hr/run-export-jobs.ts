/**
 * The background part of evidence export jobs (decision 018): the jobs runner (jobs/job-runner.ts, job
 * "evidence-exports") calls `runEvidenceExportJobs` in the one process that holds the job's lease. It claims the
 * oldest queued job (or one whose claim ran out because its process died), makes the file with exportEvidenceFile —
 * acting as the HR person who started it, with their grant as it is now; temporary name, renamed when complete,
 * recorded in the audit log — and stores progress, size, fingerprints or a German error. It also deletes files past
 * the retention period and temporary files left by a process that died.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { and, eq, isNotNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { evidenceExportJobTable } from '../../../../db/schema/index.ts';
import type { ContentSet } from '../content/load-content.ts';
import { personContext } from '../context.ts';
import { DomainError, ForbiddenError } from '../errors/domain-errors.ts';
import { getAuthUser } from '../users/get-auth-user.ts';
import { exportEvidenceFile } from './export-evidence-file.ts';
import { formatFile } from './write-evidence-export.ts';

export interface RunExportJobsOptions {
  /** Folder of the files (KIKO_EXPORT_DIR). */
  dir: string;
  /** This process, as in the job lease. */
  holder: string;
  clock?: () => Date;
  log?: (line: string) => void;
  /** How long a claim holds without progress (a dead process's job is taken over after it). */
  claimMs?: number;
  retentionDays?: number;
  /** Tests: called with each progress update (after it is stored). */
  onProgress?: (jobId: string, done: number, total: number) => Promise<void> | void;
}

type JobRow = typeof evidenceExportJobTable.$inferSelect;

async function claimNext(db: Db, holder: string, now: number, claimMs: number): Promise<JobRow | null> {
  const t = evidenceExportJobTable;
  const free = sql`(${t.state} = 'queued' OR (${t.state} = 'running' AND ${t.claimedUntil} < ${now}))`;
  const rows = await db.all<{ id: string }>(sql`
    UPDATE ${t} SET state = 'running', claimed_by = ${holder}, claimed_until = ${now + claimMs},
           started_at = coalesce(started_at, ${now}), done = 0
     WHERE id = (SELECT id FROM ${t} WHERE ${free} ORDER BY created_at, id LIMIT 1) AND ${free}
    RETURNING id`);
  if (!rows[0]) return null;
  const [row] = await db.select().from(t).where(eq(t.id, rows[0].id));
  return row ?? null;
}

/** Why a job failed, in German for HR (domain errors carry their own message). */
function failureText(error: unknown): string {
  if (error instanceof DomainError)
    return error.status === 404 || (error.status === 403 && error.message === new ForbiddenError().message)
      ? 'Sie dürfen diese Auswahl nicht mehr exportieren (die Berechtigung oder die Organisationseinheit hat sich geändert).'
      : error.message;
  return `Der Export ist fehlgeschlagen: ${(error as Error).message ?? String(error)}. Bitte starten Sie ihn erneut; tritt der Fehler wieder auf, wenden Sie sich an die Administration.`;
}

async function runOne(
  db: Db,
  content: ContentSet,
  job: JobRow,
  o: Required<Omit<RunExportJobsOptions, 'onProgress'>> & RunExportJobsOptions,
): Promise<boolean> {
  const t = evidenceExportJobTable;
  const mine = and(eq(t.id, job.id), eq(t.claimedBy, o.holder));
  const s = job.selection;
  const fileName = `${job.id}.${formatFile[s.format].ext}`;
  let lastWrite = 0;
  let pending: Promise<unknown> = Promise.resolve();
  try {
    const user = await getAuthUser(db, job.requestedBy);
    if (!user || user.tenant?.id !== job.tenantId)
      throw new ForbiddenError('Die Person, die den Export gestartet hat, hat keinen Zugang mehr.');
    const ctx = personContext(db, user, content, o.clock);
    await mkdir(o.dir, { recursive: true, mode: 0o700 });
    const r = await exportEvidenceFile(
      ctx,
      {
        format: s.format,
        asOf: new Date(s.asOf),
        recordedBy: new Date(s.recordedBy),
        orgUnitId: s.orgUnitId,
        jobRole: s.jobRole,
        status: s.status,
        period: s.periodFrom && s.periodTo ? { from: new Date(s.periodFrom), to: new Date(s.periodTo) } : null,
        out: join(o.dir, fileName),
      },
      {
        onPrepared: async (people, total) => {
          await db
            .update(t)
            .set({ people, total, done: 0, claimedUntil: new Date(o.clock().getTime() + o.claimMs) })
            .where(mine);
        },
        onProgress: (done, total) => {
          const now = o.clock().getTime();
          // at most one write a second, one at a time; each renews the claim
          if (done < total && now - lastWrite < 1000) return;
          lastWrite = now;
          pending = pending
            .then(() =>
              db
                .update(t)
                .set({ done, total, claimedUntil: new Date(now + o.claimMs) })
                .where(mine),
            )
            .then(() => o.onProgress?.(job.id, done, total))
            .catch((e: Error) => o.log(`Export ${job.id}: Fortschritt nicht gespeichert (${e.message}).`));
        },
      },
    );
    await pending;
    await db
      .update(t)
      .set({
        state: 'done',
        done: r.people * (s.format === 'xlsx' ? 2 : 1),
        total: r.people * (s.format === 'xlsx' ? 2 : 1),
        people: r.people,
        fileName,
        downloadName: r.downloadName,
        size: r.size,
        fingerprint: r.fingerprint,
        fileSha256: `sha256:${r.sha256}`,
        finishedAt: o.clock(),
        claimedUntil: null,
      })
      .where(mine);
    return true;
  } catch (error) {
    await pending;
    o.log(`Export ${job.id} fehlgeschlagen: ${(error as Error).message}`);
    await db
      .update(t)
      .set({ state: 'failed', error: failureText(error).slice(0, 1000), finishedAt: o.clock(), claimedUntil: null })
      .where(mine)
      .catch(() => {});
    return false;
  }
}

/** Deletes finished files past the retention period and temporary files older than a claim. */
async function cleanUp(db: Db, o: { dir: string; clock: () => Date; retentionDays: number; claimMs: number }): Promise<void> {
  const t = evidenceExportJobTable;
  const cutoff = new Date(o.clock().getTime() - o.retentionDays * 86_400_000);
  const old = await db
    .select({ id: t.id, fileName: t.fileName })
    .from(t)
    .where(and(isNotNull(t.fileName), lt(t.finishedAt, cutoff)));
  for (const r of old) {
    await rm(join(o.dir, r.fileName as string), { force: true });
    await db.update(t).set({ fileName: null }).where(eq(t.id, r.id));
  }
  const names = await readdir(o.dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith('.') && n.endsWith('.tmp'))) {
    const info = await stat(join(o.dir, name)).catch(() => null);
    if (info && o.clock().getTime() - info.mtimeMs > o.claimMs) await rm(join(o.dir, name), { force: true });
  }
}

/** Works through the queued export jobs one after another; returns how many were done and how many failed. */
export async function runEvidenceExportJobs(
  db: Db,
  content: ContentSet,
  opts: RunExportJobsOptions,
): Promise<{ done: number; failed: number }> {
  const o = { clock: () => new Date(), log: (line: string) => console.error(line), claimMs: 5 * 60_000, retentionDays: 30, ...opts };
  let done = 0;
  let failed = 0;
  for (;;) {
    const job = await claimNext(db, o.holder, o.clock().getTime(), o.claimMs);
    if (!job) break;
    if (await runOne(db, content, job, o)) done++;
    else failed++;
  }
  await cleanUp(db, o).catch((e: Error) => o.log(`Exporte aufräumen fehlgeschlagen: ${e.message}`));
  return { done, failed };
}
