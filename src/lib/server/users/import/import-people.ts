/**
 * The staff import, one verb for the admin page and `kiko users import`: `previewImport` is the dry run (nothing
 * written), `applyImport` refuses a file with any error before anything is staged, then stores the plan as an import
 * run and writes it batch by batch in short transactions (import-run.ts, decision 016 addendum), so learners' writes
 * are not held up behind one long transaction. An interrupted run is rolled forward (`rollForwardImports`) by the next
 * apply of the district and by the server's `staff-imports` job. The same file applied twice changes nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { importRunTable, orgUnitTable, userRoleTable, userTable } from '../../../../../db/schema/index.ts';
import { authorize, type Scope } from '../../authz/authorize.ts';
import { actorId, type Ctx } from '../../context.ts';
import { ConflictError, ValidationError } from '../../errors/domain-errors.ts';
import type { Tx } from '../../evidence/record.ts';
import { LAST_ADMIN_MESSAGE } from '../last-admin.ts';
import { loadImportMapping } from './import-mapping.ts';
import { applyImportRun, type ImportRunStatus, type SkippedRow, stageImportRun, staleImportRuns, toStatus } from './import-run.ts';
import { parseStaffFile } from './parse-staff-file.ts';
import { type ExistingPerson, type ImportPlan, planChanges, planImport } from './plan-import.ts';

export interface ImportOptions {
  file: Buffer;
  deactivateMissing?: boolean;
  /** Progress of the apply step (the CLI draws a bar). */
  onProgress?: (phase: string, done: number, total: number) => void;
  /** The plan, before anything is staged (the CLI prints it; a plan with errors is refused after this). */
  onPlan?: (plan: ImportPlan) => void;
  /** Tests only: stop after this many batches, as if the process died (the run stays "applying"). */
  stopAfterBatches?: number;
}
export interface ImportResult {
  plan: ImportPlan;
  created: number;
  changed: number;
  deactivated: number;
  unchanged: number;
  /** Rows left out because the person changed in KIKO after the plan (the newer change wins). */
  skipped: SkippedRow[];
  /** The import run (null when nothing had to change). */
  runId: string | null;
}

type Reader = Pick<Tx, 'select' | 'all'>;

async function loadPlan(
  db: Reader,
  scope: Scope,
  file: ReturnType<typeof parseStaffFile>,
  deactivateMissing: boolean,
): Promise<ImportPlan> {
  return (await loadPlanWithPeople(db, scope, file, deactivateMissing)).plan;
}

/** The plan and the district's people it was computed over (by id; the staged run remembers what it saw). */
async function loadPlanWithPeople(
  db: Reader,
  scope: Scope,
  file: ReturnType<typeof parseStaffFile>,
  deactivateMissing: boolean,
): Promise<{ plan: ImportPlan; people: Map<string, ExistingPerson> }> {
  const tenantId = scope.tenantId as string;
  const emails = new Set<string>();
  for (const r of file.rows) for (const c of r.cells) if (c.includes('@')) emails.add(c.trim().toLowerCase());
  const [people, others, units, mapping] = await Promise.all([
    districtPeople(db, tenantId),
    // e-mail addresses are logins, unique on the installation: those of the file taken in other districts
    db.all<{ id: string; tenant_id: string | null; email: string }>(sql`
      SELECT u.id, u.tenant_id, u.email FROM json_each(${JSON.stringify([...emails])}) j CROSS JOIN ${userTable} u ON u.email = j.value
       WHERE u.tenant_id IS NOT ${tenantId}`),
    db
      .select({ id: orgUnitTable.id, code: orgUnitTable.code, name: orgUnitTable.name, closedAt: orgUnitTable.closedAt })
      .from(orgUnitTable)
      .where(eq(orgUnitTable.tenantId, tenantId)),
    loadImportMapping(db, tenantId),
  ]);
  const existing: ExistingPerson[] = [
    ...people,
    ...others.map((o) => ({
      id: o.id,
      tenantId: o.tenant_id,
      email: o.email,
      name: '',
      externalId: null,
      orgUnitId: null,
      jobRole: '',
      status: 'active' as const,
    })),
  ];
  const plan = planImport({
    file,
    tenantId,
    scope,
    people: existing,
    units: units.map((u) => ({ id: u.id, code: u.code, name: u.name, closed: u.closedAt !== null })),
    mapping,
    deactivateMissing,
    actorUserId: scope.actorUserId,
  });
  return { plan, people: new Map(people.map((p) => [p.id, p])) };
}

/** People per slice when the district's people are read. */
const PEOPLE_SLICE = 5_000;

/**
 * The district's people, read in slices by rowid, each slice as ONE JSON row: 50,000 driver row objects (and
 * drizzle's copies) were the largest transient allocation of an apply over an existing district, and the whole
 * district as one JSON text (built by SQLite, then copied into JavaScript) the next largest.
 */
async function districtPeople(db: Reader, tenantId: string): Promise<ExistingPerson[]> {
  const people: ExistingPerson[] = [];
  for (let after = -1; ; ) {
    const [slice] = await db.all<{ people: string | null; last: number | null }>(sql`
      SELECT json_group_array(json_array(id, email, name, external_id, org_unit_id, job_role, status)) AS people, max(r) AS last
        FROM (SELECT rowid AS r, id, email, name, external_id, org_unit_id, job_role, status FROM ${userTable}
               WHERE tenant_id = ${tenantId} AND rowid > ${after} ORDER BY rowid LIMIT ${PEOPLE_SLICE})`);
    if (!slice?.people || slice.last === null) return people;
    const rows = JSON.parse(slice.people) as Array<[string, string, string, string | null, string | null, string, string]>;
    for (const [id, email, name, externalId, orgUnitId, jobRole, status] of rows)
      people.push({ id, tenantId, email, name, externalId, orgUnitId, jobRole, status: status as ExistingPerson['status'] });
    if (rows.length < PEOPLE_SLICE) return people;
    after = Number(slice.last);
  }
}

/** The dry run: what applying the file would do, and every row's problem. Writes nothing. */
export async function previewImport(ctx: Ctx, opts: ImportOptions): Promise<ImportPlan> {
  const scope = await authorize(ctx, 'tenant.admin');
  const file = parseStaffFile(opts.file);
  return loadPlan(ctx.db, scope, file, opts.deactivateMissing ?? false);
}

/**
 * Applies the file: refused (ValidationError, nothing staged or written) when the dry run has errors; otherwise the
 * plan is staged as an import run and written in short transactions (import-run.ts). Interrupted runs of the district
 * are rolled forward first; while another process is applying one, a new apply is refused (ConflictError).
 */
export async function applyImport(ctx: Ctx, opts: ImportOptions): Promise<ImportResult> {
  const scope = await authorize(ctx, 'tenant.admin');
  await rollForwardImports(ctx);
  const staged = await planAndStage(ctx, scope, opts);
  const { plan } = staged;
  const result = {
    plan,
    created: 0,
    changed: 0,
    deactivated: 0,
    unchanged: plan.unchanged,
    skipped: [] as SkippedRow[],
    runId: null as string | null,
  };
  // the same file again: nothing to write, not even a run
  if (staged.runId === null) return result;
  const run = await applyImportRun(ctx.db, staged.runId, {
    clock: ctx.clock,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.stopAfterBatches !== undefined ? { stopAfterBatches: opts.stopAfterBatches } : {}),
  });
  return { ...result, created: run.created, changed: run.changed, deactivated: run.deactivated, skipped: run.skipped, runId: staged.runId };
}

/**
 * Parses and plans the file and stages its run (null when nothing has to change). Its own function so that the
 * parsed rows and the district's people it loaded are garbage once the run is staged, before its batches are written.
 */
async function planAndStage(ctx: Ctx, scope: Scope, opts: ImportOptions): Promise<{ plan: ImportPlan; runId: string | null }> {
  const tenantId = scope.tenantId as string;
  const [running] = await ctx.db
    .select({ total: importRunTable.total, done: importRunTable.done })
    .from(importRunTable)
    .where(and(eq(importRunTable.tenantId, tenantId), eq(importRunTable.state, 'applying')))
    .limit(1);
  if (running)
    throw new ConflictError(
      `Ein anderer Import läuft gerade (${running.done} von ${running.total} Personen übernommen). Bitte warten Sie, bis er abgeschlossen ist.`,
    );
  const file = parseStaffFile(opts.file);
  const { plan, people } = await loadPlanWithPeople(ctx.db, scope, file, opts.deactivateMissing ?? false);
  opts.onPlan?.(plan);
  if (plan.missing.length > 0) throw new ValidationError(`In der Datei fehlt: ${plan.missing.join(', ')}. Es wurde nichts übernommen.`);
  if (plan.errors.length > 0)
    throw new ValidationError(
      `${plan.errors.length} Fehler in der Datei (erster in Zeile ${plan.errors[0]?.line}: ${plan.errors[0]?.message}). Es wurde nichts übernommen.`,
    );
  if (plan.deactivate.length > 0)
    await refuseLosingAllAdmins(
      ctx.db,
      tenantId,
      plan.deactivate.map((d) => d.userId),
    );
  if (planChanges(plan) === 0) return { plan, runId: null };
  const runId = randomUUID();
  await stageImportRun(ctx.db, {
    id: runId,
    tenantId,
    actorId: actorId(ctx.actor),
    fileHash: createHash('sha256').update(opts.file).digest('hex'),
    plan,
    people,
    now: ctx.clock(),
    newId: randomUUID,
  });
  return { plan, runId };
}

/**
 * Finishes the district's interrupted import runs (still applying, no batch written for IMPORT_STALE_MS: their
 * process died). Called by the next apply and by the server's `staff-imports` job. Returns how many it finished.
 */
export async function rollForwardImports(ctx: Ctx, opts: { staleMs?: number } = {}): Promise<number> {
  const scope = await authorize(ctx, 'tenant.admin');
  const runs = await staleImportRuns(ctx.db, scope.tenantId as string, ctx.clock(), opts.staleMs);
  for (const run of runs) await applyImportRun(ctx.db, run.id, { clock: ctx.clock });
  return runs.length;
}

/** The district's latest import runs, newest first (progress while applying, outcome when done). */
export async function listImportRuns(ctx: Ctx, limit = 5): Promise<ImportRunStatus[]> {
  const scope = await authorize(ctx, 'tenant.admin');
  const rows = await ctx.db
    .select()
    .from(importRunTable)
    .where(eq(importRunTable.tenantId, scope.tenantId as string))
    .orderBy(desc(importRunTable.startedAt))
    .limit(limit);
  return rows.map(toStatus);
}

async function refuseLosingAllAdmins(tx: Reader, tenantId: string, leaving: string[]): Promise<void> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)` })
    .from(userRoleTable)
    .innerJoin(userTable, eq(userTable.id, userRoleTable.userId))
    .where(
      and(
        eq(userRoleTable.tenantId, tenantId),
        eq(userRoleTable.role, 'admin'),
        isNull(userRoleTable.scopeOrgUnitId),
        eq(userTable.status, 'active'),
        sql`${userTable.id} NOT IN (SELECT value FROM json_each(${JSON.stringify(leaving)}))`,
      ),
    );
  if (Number(row?.n ?? 0) === 0) throw new ConflictError(`${LAST_ADMIN_MESSAGE} Die Datei würde alle deaktivieren.`);
}
