/**
 * The staged apply of a staff import (decision 016, addendum). `stageImportRun` stores the checked plan durably —
 * one `import_runs` row and its batches of up to 1,000 people in `import_run_batches` — in one short transaction.
 * `applyImportRun` then writes batch by batch, each batch in its own short write transaction that also marks the
 * batch done (so every fact and audit entry is written exactly once, also when two processes roll the same run
 * forward), yielding to the event loop between batches so that the other writes of the process get in.
 *
 * Each batch re-checks its people against what the database holds at that moment: a person the plan saw and that was
 * changed in KIKO since (name, e-mail, personnel number, unit, job role or status), an e-mail address or personnel
 * number taken since, or a unit closed since is left out — the newer change in KIKO wins — and the row is reported as
 * skipped. After the last batch the `users.imported` audit entry is appended, the run is "done" and its batches
 * (personal data of the file) are deleted.
 */
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../../../../db/client.ts';
import {
  importRunBatchTable,
  importRunTable,
  orgUnitTable,
  sessionTable,
  userRoleTable,
  userTable,
} from '../../../../../db/schema/index.ts';
import { appendAuditEvent } from '../../audit/append-audit-event.ts';
import { appendAuditEvents } from '../../audit/append-audit-events.ts';
import { forgetSession } from '../../auth/session-cache.ts';
import { appendFactsBulk, type Tx } from '../../evidence/record.ts';
import { recordMembershipChanges } from '../change-membership.ts';
import type { ExistingPerson, ImportPlan } from './plan-import.ts';

/** People per batch (and per write transaction). */
export const IMPORT_BATCH = 1_000;
/** A run "applying" whose last batch is older than this is taken to be interrupted and rolled forward by others. */
export const IMPORT_STALE_MS = 60_000;

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** What the plan saw of an existing person; a batch writes the person only while KIKO still holds exactly this. */
interface Seen {
  name: string;
  email: string;
  externalId: string | null;
  orgUnitId: string | null;
  jobRole: string;
  status: 'active' | 'disabled';
}
interface CreatedRow {
  line: number;
  id: string;
  email: string;
  name: string;
  externalId: string | null;
  orgUnitId: string | null;
  jobRole: string;
}
interface ChangedRow extends Omit<CreatedRow, 'id'> {
  userId: string;
  changes: string[];
  reactivate: boolean;
  seen: Seen;
}
interface DeactivateRow {
  userId: string;
  orgUnitId: string | null;
  jobRole: string;
  seen: Seen;
}
/** A planned row left out because the person changed in KIKO after the plan. Line of the file (none for deactivations). */
export interface SkippedRow {
  line: number | null;
  reason: string;
}

export interface ImportRunStatus {
  id: string;
  state: 'applying' | 'done';
  total: number;
  done: number;
  created: number;
  changed: number;
  deactivated: number;
  unchanged: number;
  skipped: SkippedRow[];
  startedAt: Date;
  heartbeatAt: Date;
  finishedAt: Date | null;
}

const CHANGED_ELSEWHERE = 'Die Person wurde nach der Vorschau in KIKO geändert; die neuere Änderung gilt, die Zeile wurde übersprungen.';

/** Stores the plan as a run with its batches (one short transaction). Returns the run id. */
export async function stageImportRun(
  db: Db,
  input: {
    id: string;
    tenantId: string;
    actorId: string;
    fileHash: string;
    plan: ImportPlan;
    people: ReadonlyMap<string, ExistingPerson>;
    now: Date;
    newId: () => string;
  },
): Promise<void> {
  const { plan, people } = input;
  const seen = (id: string): Seen => {
    const p = people.get(id);
    if (!p) throw new Error(`import plan: person ${id} not loaded`);
    return { name: p.name, email: p.email, externalId: p.externalId, orgUnitId: p.orgUnitId, jobRole: p.jobRole, status: p.status };
  };
  type Kind = 'created' | 'changed' | 'deactivate';
  const total = plan.created.length + plan.changed.length + plan.deactivate.length;
  await db.transaction(async (tx) => {
    await tx.insert(importRunTable).values({
      id: input.id,
      tenantId: input.tenantId,
      actorId: input.actorId,
      fileHash: input.fileHash,
      state: 'applying',
      total,
      unchanged: plan.unchanged,
      startedAt: input.now,
      heartbeatAt: input.now,
    });
    // each kind in batches of IMPORT_BATCH people, the rows as the batch writer reads them; one batch's text at a
    // time (50,000 people's rows at once were the staging's largest allocation)
    let seq = 0;
    const stage = async <T, R>(kind: Kind, items: readonly T[], row: (p: T) => R): Promise<void> => {
      for (let i = 0; i < items.length; i += IMPORT_BATCH)
        await tx
          .insert(importRunBatchTable)
          .values({ runId: input.id, seq: seq++, kind, rows: JSON.stringify(items.slice(i, i + IMPORT_BATCH).map(row)) });
    };
    await stage(
      'created',
      plan.created,
      (p): CreatedRow => ({
        line: p.line,
        id: input.newId(),
        email: p.email,
        name: p.name,
        externalId: p.externalId,
        orgUnitId: p.orgUnitId,
        jobRole: p.jobRole,
      }),
    );
    await stage(
      'changed',
      plan.changed,
      (p): ChangedRow => ({
        line: p.line,
        userId: p.userId as string,
        email: p.email,
        name: p.name,
        externalId: p.externalId,
        orgUnitId: p.orgUnitId,
        jobRole: p.jobRole,
        changes: p.changes,
        reactivate: p.reactivate,
        seen: seen(p.userId as string),
      }),
    );
    await stage(
      'deactivate',
      plan.deactivate,
      (d): DeactivateRow => ({ userId: d.userId, orgUnitId: d.orgUnitId, jobRole: d.jobRole, seen: seen(d.userId) }),
    );
  });
}

/**
 * Writes the run's batches that are not done yet, each in its own transaction, then finishes the run. `clock` gives
 * the heartbeat; facts and audit entries carry the run's start (the moment the file was applied). `stopAfterBatches`
 * ends early without finishing (tests simulate an interrupted process with it).
 */
export async function applyImportRun(
  db: Db,
  runId: string,
  opts: {
    clock: () => Date;
    onProgress?: (phase: string, done: number, total: number) => void;
    stopAfterBatches?: number;
  },
): Promise<ImportRunStatus> {
  const [run] = await db.select().from(importRunTable).where(eq(importRunTable.id, runId));
  if (!run) throw new Error(`import run ${runId} not found`);
  let written = 0;
  const phases = { created: 'Neue Personen', changed: 'Geänderte Personen', deactivate: 'Deaktivierte Personen' } as const;
  while (run.state === 'applying') {
    if (opts.stopAfterBatches !== undefined && written >= opts.stopAfterBatches) return (await getRunStatus(db, runId)) as ImportRunStatus;
    const [next] = await db
      .select({ seq: importRunBatchTable.seq, kind: importRunBatchTable.kind })
      .from(importRunBatchTable)
      .where(and(eq(importRunBatchTable.runId, runId), isNull(importRunBatchTable.doneAt)))
      .orderBy(importRunBatchTable.seq)
      .limit(1);
    if (!next) break;
    const ended = await db.transaction(async (tx) => {
      // claiming the batch and writing it commit together: a batch another process wrote is not written again
      const [claimed] = await tx
        .update(importRunBatchTable)
        .set({ doneAt: opts.clock() })
        .where(and(eq(importRunBatchTable.runId, runId), eq(importRunBatchTable.seq, next.seq), isNull(importRunBatchTable.doneAt)))
        .returning({ rows: importRunBatchTable.rows });
      if (!claimed) return [];
      const ctx = { tenantId: run.tenantId, by: run.actorId, at: run.startedAt, recordedAt: opts.clock(), runId };
      const out =
        next.kind === 'created'
          ? await writeCreated(tx, ctx, JSON.parse(claimed.rows) as CreatedRow[])
          : next.kind === 'changed'
            ? await writeChanged(tx, ctx, JSON.parse(claimed.rows) as ChangedRow[])
            : await writeDeactivated(tx, ctx, JSON.parse(claimed.rows) as DeactivateRow[]);
      const column = next.kind === 'created' ? 'created' : next.kind === 'changed' ? 'changed' : 'deactivated';
      await tx.run(sql`UPDATE ${importRunTable}
          SET done = done + ${out.written + out.skipped.length}, ${sql.raw(column)} = ${sql.raw(column)} + ${out.written},
              skipped = CASE WHEN ${out.skipped.length} = 0 THEN skipped
                             ELSE (SELECT json_group_array(json(value)) FROM (SELECT value FROM json_each(skipped)
                                   UNION ALL SELECT value FROM json_each(${JSON.stringify(out.skipped)}))) END,
              heartbeat_at = ${opts.clock().getTime()}
        WHERE id = ${runId}`);
      return out.endedSessions;
    });
    for (const id of ended) forgetSession(id);
    written++;
    const status = await getRunStatus(db, runId);
    opts.onProgress?.(phases[next.kind], status?.done ?? 0, run.total);
    await yieldToEventLoop();
  }
  await db.transaction(async (tx) => {
    const [finished] = await tx
      .update(importRunTable)
      .set({ state: 'done', finishedAt: opts.clock(), heartbeatAt: opts.clock() })
      .where(and(eq(importRunTable.id, runId), eq(importRunTable.state, 'applying')))
      .returning();
    if (!finished) return;
    const skipped = JSON.parse(finished.skipped) as SkippedRow[];
    if (finished.total > 0)
      await appendAuditEvent(tx, {
        tenantId: finished.tenantId,
        actorId: finished.actorId,
        type: 'users.imported',
        data: {
          importId: runId,
          fileHash: finished.fileHash,
          created: finished.created,
          changed: finished.changed,
          deactivated: finished.deactivated,
          unchanged: finished.unchanged,
          ...(skipped.length > 0 ? { skipped: skipped.length } : {}),
        },
        at: opts.clock(),
      });
    await tx.delete(importRunBatchTable).where(eq(importRunBatchTable.runId, runId));
  });
  return (await getRunStatus(db, runId)) as ImportRunStatus;
}

/** A run's progress and outcome, or null. */
export async function getRunStatus(db: Pick<Db, 'select'>, runId: string): Promise<ImportRunStatus | null> {
  const [r] = await db.select().from(importRunTable).where(eq(importRunTable.id, runId));
  return r ? toStatus(r) : null;
}

export function toStatus(r: typeof importRunTable.$inferSelect): ImportRunStatus {
  return {
    id: r.id,
    state: r.state,
    total: r.total,
    done: r.done,
    created: r.created,
    changed: r.changed,
    deactivated: r.deactivated,
    unchanged: r.unchanged,
    skipped: JSON.parse(r.skipped) as SkippedRow[],
    startedAt: r.startedAt,
    heartbeatAt: r.heartbeatAt,
    finishedAt: r.finishedAt,
  };
}

/** The district's runs that are still applying and whose heartbeat is older than `staleMs` (their process died). */
export async function staleImportRuns(db: Db, tenantId: string | null, now: Date, staleMs = IMPORT_STALE_MS): Promise<ImportRunStatus[]> {
  const rows = await db
    .select()
    .from(importRunTable)
    .where(
      and(
        eq(importRunTable.state, 'applying'),
        lt(importRunTable.heartbeatAt, new Date(now.getTime() - staleMs)),
        tenantId ? eq(importRunTable.tenantId, tenantId) : undefined,
      ),
    );
  return rows.map(toStatus);
}

interface BatchCtx {
  tenantId: string;
  by: string;
  /** When the import takes effect: the start of its run (every batch alike). */
  at: Date;
  /** When this batch is written: its facts' recording time and its audit entries' time. */
  recordedAt: Date;
  runId: string;
}
interface BatchOutcome {
  written: number;
  skipped: SkippedRow[];
  endedSessions: string[];
}

const json = (v: unknown): string => JSON.stringify(v);

async function closedUnits(tx: Tx, tenantId: string, ids: ReadonlyArray<string | null>): Promise<Set<string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Set();
  const rows = await tx.all<{ id: string }>(sql`SELECT u.id FROM json_each(${json(wanted)}) j CROSS JOIN ${orgUnitTable} u ON u.id = j.value
     WHERE u.tenant_id = ${tenantId} AND u.closed_at IS NOT NULL`);
  return new Set(rows.map((r) => r.id));
}

async function writeCreated(tx: Tx, c: BatchCtx, planned: CreatedRow[]): Promise<BatchOutcome> {
  // e-mail addresses are unique on the installation, personnel numbers per district: taken since the plan → skipped.
  // CROSS JOIN keeps the file's values as the outer loop (https://sqlite.org/optoverview.html#crossjoin): otherwise
  // SQLite walks the district's personnel-number index and scans the batch for each person.
  const taken = await tx.all<{ email: string | null; external_id: string | null }>(sql`
    SELECT u.email, NULL AS external_id FROM json_each(${json(planned.map((p) => p.email))}) j CROSS JOIN ${userTable} u ON u.email = j.value
    UNION ALL
    SELECT NULL, u.external_id FROM json_each(${json(planned.flatMap((p) => (p.externalId ? [p.externalId] : [])))}) j
      CROSS JOIN ${userTable} u ON u.tenant_id = ${c.tenantId} AND u.external_id = j.value`);
  const emails = new Set(taken.map((t) => t.email).filter(Boolean));
  const externals = new Set(taken.map((t) => t.external_id).filter(Boolean));
  const closed = await closedUnits(
    tx,
    c.tenantId,
    planned.map((p) => p.orgUnitId),
  );
  const skipped: SkippedRow[] = [];
  const rows = planned.filter((p) => {
    const reason = emails.has(p.email)
      ? `Die E-Mail-Adresse ${p.email} wurde nach der Vorschau in KIKO vergeben; die Zeile wurde übersprungen.`
      : p.externalId && externals.has(p.externalId)
        ? `Die Personalnummer ${p.externalId} wurde nach der Vorschau in KIKO vergeben; die Zeile wurde übersprungen.`
        : p.orgUnitId && closed.has(p.orgUnitId)
          ? 'Die Organisationseinheit wurde nach der Vorschau geschlossen; die Zeile wurde übersprungen.'
          : null;
    if (reason) skipped.push({ line: p.line, reason });
    return reason === null;
  });
  if (rows.length === 0) return { written: 0, skipped, endedSessions: [] };
  await tx.run(sql`INSERT INTO ${userTable} (id, tenant_id, org_unit_id, email, name, job_role, status, password_hash, external_id, created_at)
    SELECT value->>0, ${c.tenantId}, value->>1, value->>2, value->>3, value->>4, 'active', NULL, value->>5, ${c.at.getTime()}
      FROM json_each(${json(rows.map((p) => [p.id, p.orgUnitId, p.email, p.name, p.jobRole, p.externalId]))})`);
  await tx.run(sql`INSERT INTO ${userRoleTable} (user_id, role, tenant_id)
    SELECT value, 'learner', ${c.tenantId} FROM json_each(${json(rows.map((p) => p.id))})`);
  const base = { effectiveAt: c.at, recordedAt: c.recordedAt, actorId: c.by };
  await appendFactsBulk(
    tx,
    c.tenantId,
    rows.flatMap((p) => [
      {
        ...base,
        userId: p.id,
        type: 'membership.changed' as const,
        data: { orgUnitId: p.orgUnitId, jobRole: p.jobRole, status: 'active' },
      },
      { ...base, userId: p.id, type: 'roles.changed' as const, data: { grants: [{ role: 'learner', scopeOrgUnitId: null }] } },
    ]),
  );
  await appendAuditEvents(
    tx,
    rows.map((p) => ({
      tenantId: c.tenantId,
      actorId: c.by,
      type: 'user.created',
      subjectId: p.id,
      data: { roles: ['learner'], jobRole: p.jobRole, orgUnitId: p.orgUnitId, importId: c.runId },
      personal: { email: p.email, name: p.name, externalId: p.externalId },
      at: c.recordedAt,
    })),
  );
  return { written: rows.length, skipped, endedSessions: [] };
}

/** The planned people whose current state in KIKO is still what the plan saw; the others are skipped. */
async function unchangedSincePlan<T extends { userId: string; seen: Seen }>(
  tx: Tx,
  tenantId: string,
  planned: T[],
): Promise<{ still: T[]; changed: T[] }> {
  // by primary key, the batch as the outer loop (the unary + keeps SQLite off the district's index)
  const now = await tx.all<Seen & { id: string }>(sql`
    SELECT u.id, u.name, u.email, u.external_id AS externalId, u.org_unit_id AS orgUnitId, u.job_role AS jobRole, u.status
      FROM json_each(${json(planned.map((p) => p.userId))}) j CROSS JOIN ${userTable} u ON u.id = j.value
     WHERE +u.tenant_id = ${tenantId}`);
  const byId = new Map(now.map((p) => [p.id, p]));
  const still: T[] = [];
  const changed: T[] = [];
  for (const p of planned) {
    const n = byId.get(p.userId);
    const same =
      n &&
      n.name === p.seen.name &&
      n.email === p.seen.email &&
      n.externalId === p.seen.externalId &&
      n.orgUnitId === p.seen.orgUnitId &&
      n.jobRole === p.seen.jobRole &&
      n.status === p.seen.status;
    (same ? still : changed).push(p);
  }
  return { still, changed };
}

async function writeChanged(tx: Tx, c: BatchCtx, planned: ChangedRow[]): Promise<BatchOutcome> {
  const { still, changed } = await unchangedSincePlan(tx, c.tenantId, planned);
  const skipped: SkippedRow[] = changed.map((p) => ({ line: p.line, reason: CHANGED_ELSEWHERE }));
  // e-mail addresses (unique on the installation) and personnel numbers (unique per district) the file gives a person
  // anew may have been given to someone else in KIKO since the plan: the row is skipped, the batch still commits
  const newEmails = still.filter((p) => p.email !== p.seen.email).map((p) => p.email);
  const newExternals = still.flatMap((p) => (p.externalId && p.externalId !== p.seen.externalId ? [p.externalId] : []));
  const taken =
    newEmails.length + newExternals.length === 0
      ? []
      : await tx.all<{ email: string | null; external_id: string | null }>(sql`
          SELECT u.email, NULL AS external_id FROM json_each(${json(newEmails)}) j CROSS JOIN ${userTable} u ON u.email = j.value
          UNION ALL
          SELECT NULL, u.external_id FROM json_each(${json(newExternals)}) j
            CROSS JOIN ${userTable} u ON u.tenant_id = ${c.tenantId} AND u.external_id = j.value`);
  const takenEmails = new Set(taken.map((t) => t.email).filter(Boolean));
  const takenExternals = new Set(taken.map((t) => t.external_id).filter(Boolean));
  const closed = await closedUnits(
    tx,
    c.tenantId,
    still.filter((p) => p.orgUnitId !== p.seen.orgUnitId).map((p) => p.orgUnitId),
  );
  const people = still.filter((p) => {
    const reason =
      p.email !== p.seen.email && takenEmails.has(p.email)
        ? `Die E-Mail-Adresse ${p.email} wurde nach der Vorschau in KIKO vergeben; die Zeile wurde übersprungen.`
        : p.externalId && p.externalId !== p.seen.externalId && takenExternals.has(p.externalId)
          ? `Die Personalnummer ${p.externalId} wurde nach der Vorschau in KIKO vergeben; die Zeile wurde übersprungen.`
          : p.orgUnitId !== p.seen.orgUnitId && p.orgUnitId && closed.has(p.orgUnitId)
            ? 'Die Organisationseinheit wurde nach der Vorschau geschlossen; die Zeile wurde übersprungen.'
            : null;
    if (reason) skipped.push({ line: p.line, reason });
    return reason === null;
  });
  const personalFields = (p: ChangedRow): string[] => p.changes.filter((f) => f === 'Name' || f === 'E-Mail' || f === 'Personalnummer');
  const personal = people.filter((p) => personalFields(p).length > 0);
  if (personal.length > 0) {
    await tx.run(sql`UPDATE ${userTable} SET name = j.value->>1, email = j.value->>2, external_id = j.value->>3
        FROM json_each(${json(personal.map((p) => [p.userId, p.name, p.email, p.externalId]))}) AS j
       WHERE ${userTable.id} = j.value->>0 AND +${userTable.tenantId} = ${c.tenantId}`);
    await appendAuditEvents(
      tx,
      personal.map((p) => ({
        tenantId: c.tenantId,
        actorId: c.by,
        type: 'user.updated',
        subjectId: p.userId,
        data: { fields: personalFields(p), importId: c.runId },
        personal: { email: p.email, name: p.name, externalId: p.externalId },
        at: c.recordedAt,
      })),
    );
  }
  const membership = people.filter((p) => p.changes.some((f) => f === 'Organisationseinheit' || f === 'Tätigkeitsprofil') || p.reactivate);
  await recordMembershipChanges(tx, {
    tenantId: c.tenantId,
    actorId: c.by,
    at: c.at,
    recordedAt: c.recordedAt,
    changes: membership.map((p) => ({ userId: p.userId, orgUnitId: p.orgUnitId, jobRole: p.jobRole, status: 'active' as const })),
    audit: { importId: c.runId },
  });
  return { written: people.length, skipped, endedSessions: [] };
}

async function writeDeactivated(tx: Tx, c: BatchCtx, planned: DeactivateRow[]): Promise<BatchOutcome> {
  const { still, changed } = await unchangedSincePlan(tx, c.tenantId, planned);
  const skipped: SkippedRow[] = changed.map(() => ({ line: null, reason: CHANGED_ELSEWHERE }));
  // someone may have been made the district's admin since the plan: never deactivate the last active one
  const admins = await tx.all<{ id: string; leaving: number }>(sql`
    SELECT u.id, u.id IN (SELECT value FROM json_each(${json(still.map((p) => p.userId))})) AS leaving
      FROM ${userRoleTable} r JOIN ${userTable} u ON u.id = r.user_id
     WHERE r.tenant_id = ${c.tenantId} AND r.role = 'admin' AND r.scope_org_unit_id IS NULL AND u.status = 'active'`);
  const keep = admins.length > 0 && admins.every((a) => Number(a.leaving) === 1) ? new Set(admins.map((a) => a.id)) : new Set<string>();
  const part = still.filter((p) => {
    if (keep.has(p.userId)) skipped.push({ line: null, reason: 'Die letzte aktive Administration des Landkreises bleibt aktiv.' });
    return !keep.has(p.userId);
  });
  await recordMembershipChanges(tx, {
    tenantId: c.tenantId,
    actorId: c.by,
    at: c.at,
    recordedAt: c.recordedAt,
    changes: part.map((d) => ({ userId: d.userId, orgUnitId: d.orgUnitId, jobRole: d.jobRole, status: 'disabled' as const })),
    auditType: 'user.deactivated',
    audit: { importId: c.runId },
  });
  const sessions =
    part.length === 0
      ? []
      : await tx
          .delete(sessionTable)
          .where(sql`${sessionTable.userId} IN (SELECT value FROM json_each(${json(part.map((d) => d.userId))}))`)
          .returning({ id: sessionTable.id });
  return { written: part.length, skipped, endedSessions: sessions.map((s) => s.id) };
}

/** Districts with an interrupted import run (for the server's `staff-imports` job). */
export async function districtsWithInterruptedImports(db: Db, now: Date, staleMs = IMPORT_STALE_MS): Promise<string[]> {
  const rows = await db
    .selectDistinct({ tenantId: importRunTable.tenantId })
    .from(importRunTable)
    .where(and(eq(importRunTable.state, 'applying'), lt(importRunTable.heartbeatAt, new Date(now.getTime() - staleMs))));
  return rows.map((r) => r.tenantId);
}
