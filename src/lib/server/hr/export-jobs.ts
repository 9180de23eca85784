/**
 * Evidence exports as background jobs (decision 018): HR starts one (`queueEvidenceExport`), the jobs runner makes the
 * file (run-export-jobs.ts), HR watches its status page and downloads the file. Who may see a job: HR whose grant
 * covers the job's selection — the job's org unit filter must lie in the viewer's scope, and without a filter the
 * viewer's scope must include every unit the requester's scope covered. Anyone else (other district, HR of another
 * subtree, other roles, an id that does not exist) gets "not found", with nothing revealed.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { and, desc, eq, sql } from 'drizzle-orm';
import { type ExportJobSelection, type ExportJobState, evidenceExportJobTable } from '../../../../db/schema/index.ts';
import { authorize, type Scope } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { NotFoundError } from '../errors/domain-errors.ts';
import { checkAsOf } from '../evidence/status-as-of.ts';
import type { coverageClasses } from './coverage.ts';
import type { EvidenceDates, EvidencePeriod } from './evidence-dates.ts';
import { checkPeriod, type EvidenceFormat } from './prepare-evidence-export.ts';

export interface QueueExportInput extends EvidenceDates {
  format: EvidenceFormat;
  orgUnitId?: string | null;
  jobRole?: string | null;
  status?: (typeof coverageClasses)[number] | null;
  period?: EvidencePeriod | null;
}

/** An export job as HR's pages show it. */
export interface ExportJobView {
  id: string;
  state: ExportJobState;
  selection: ExportJobSelection;
  /** Code and name of the filtered org unit (null: no filter). */
  orgUnit: { code: string; name: string } | null;
  requestedBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  done: number;
  total: number | null;
  people: number | null;
  size: number | null;
  fingerprint: string | null;
  fileSha256: string | null;
  downloadName: string | null;
  /** Whether the file is still kept (it is deleted after the retention period). */
  hasFile: boolean;
  error: string | null;
}

/** Checks the selection as the export will (dates, period, org unit in scope) and queues the job; returns its id. */
export async function queueEvidenceExport(ctx: Ctx, input: QueueExportInput): Promise<{ id: string }> {
  const scope = await authorize(ctx, 'hr.view', input.orgUnitId ? { orgUnitId: input.orgUnitId } : {});
  if (ctx.actor.kind !== 'person') throw new NotFoundError('Nicht gefunden.');
  const tenantId = scope.tenantId as string;
  await checkAsOf(ctx.db, ctx.clock(), tenantId, input.asOf, input.recordedBy);
  if (input.period) await checkPeriod(ctx, scope, input.asOf, input.period);
  const id = randomUUID();
  await ctx.db.insert(evidenceExportJobTable).values({
    id,
    tenantId,
    requestedBy: ctx.actor.user.id,
    scopeUnits: scope.orgUnitIds ? [...scope.orgUnitIds].sort() : null,
    selection: {
      format: input.format,
      asOf: input.asOf.toISOString(),
      recordedBy: input.recordedBy.toISOString(),
      orgUnitId: input.orgUnitId ?? null,
      jobRole: input.jobRole ?? null,
      status: input.status ?? null,
      periodFrom: input.period?.from.toISOString() ?? null,
      periodTo: input.period?.to.toISOString() ?? null,
    },
    state: 'queued',
    createdAt: ctx.clock(),
  });
  return { id };
}

type JobRow = typeof evidenceExportJobTable.$inferSelect;

/** Whether a viewer with `scope` may see the job. */
function mayView(scope: Scope, job: Pick<JobRow, 'tenantId' | 'scopeUnits' | 'selection'>): boolean {
  if (job.tenantId !== scope.tenantId) return false;
  const visible = scope.orgUnitIds;
  if (!visible) return true;
  const unit = job.selection.orgUnitId;
  if (unit) return visible.has(unit);
  return Boolean(job.scopeUnits?.every((u) => visible.has(u)));
}

async function unitNames(ctx: Ctx, tenantId: string, ids: string[]): Promise<Map<string, { code: string; name: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db.all<{ id: string; code: string; name: string }>(
    sql`SELECT id, code, name FROM org_units WHERE tenant_id = ${tenantId} AND id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
  );
  return new Map(rows.map((r) => [r.id, { code: r.code, name: r.name }]));
}

async function requesterNames(ctx: Ctx, tenantId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db.all<{ id: string; name: string }>(
    sql`SELECT id, name FROM users WHERE tenant_id = ${tenantId} AND id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
  );
  return new Map(rows.map((r) => [r.id, r.name]));
}

async function views(ctx: Ctx, tenantId: string, rows: JobRow[]): Promise<ExportJobView[]> {
  const [units, names] = await Promise.all([
    unitNames(ctx, tenantId, [...new Set(rows.map((r) => r.selection.orgUnitId).filter((x): x is string => Boolean(x)))]),
    requesterNames(ctx, tenantId, [...new Set(rows.map((r) => r.requestedBy))]),
  ]);
  return rows.map((r) => ({
    id: r.id,
    state: r.state,
    selection: r.selection,
    orgUnit: r.selection.orgUnitId ? (units.get(r.selection.orgUnitId) ?? null) : null,
    requestedBy: names.get(r.requestedBy) ?? '–',
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    done: r.done,
    total: r.total,
    people: r.people,
    size: r.size,
    fingerprint: r.fingerprint,
    fileSha256: r.fileSha256,
    downloadName: r.downloadName,
    hasFile: r.state === 'done' && r.fileName !== null,
    error: r.error,
  }));
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function visibleJob(ctx: Ctx, id: string): Promise<{ scope: Scope; row: JobRow }> {
  const scope = await authorize(ctx, 'hr.view');
  if (!uuid.test(id)) throw new NotFoundError('Nicht gefunden.');
  const [row] = await ctx.db
    .select()
    .from(evidenceExportJobTable)
    .where(and(eq(evidenceExportJobTable.id, id), eq(evidenceExportJobTable.tenantId, scope.tenantId as string)));
  if (!row || !mayView(scope, row)) throw new NotFoundError('Nicht gefunden.');
  return { scope, row };
}

/** One export job (its status page); NotFound when it is not the viewer's to see. */
export async function getEvidenceExportJob(ctx: Ctx, id: string): Promise<ExportJobView> {
  const { scope, row } = await visibleJob(ctx, id);
  const [view] = await views(ctx, scope.tenantId as string, [row]);
  return view as ExportJobView;
}

/** The finished file of a job: its path in `dir`, the name to offer and its size; NotFound otherwise. */
export async function getEvidenceExportFile(
  ctx: Ctx,
  id: string,
  dir: string,
): Promise<{ path: string; downloadName: string; size: number; format: EvidenceFormat; fingerprint: string }> {
  const { row } = await visibleJob(ctx, id);
  if (row.state !== 'done' || !row.fileName) throw new NotFoundError('Diese Datei gibt es nicht (mehr).');
  return {
    path: join(dir, row.fileName),
    downloadName: row.downloadName ?? row.fileName,
    size: row.size ?? 0,
    format: row.selection.format,
    fingerprint: row.fingerprint ?? '',
  };
}

/** HR's list of export jobs it may see, newest first, a page at a time. */
export async function listEvidenceExportJobs(
  ctx: Ctx,
  input: { page?: number; pageSize?: number } = {},
): Promise<{ items: ExportJobView[]; total: number; page: number; pages: number }> {
  const scope = await authorize(ctx, 'hr.view');
  const tenantId = scope.tenantId as string;
  const pageSize = input.pageSize ?? 20;
  // the visibility rule needs each row's scope: the district's jobs are few (people start them by hand), so they are
  // filtered here on narrow rows and only the page's rows are read in full
  const all = await ctx.db
    .select({
      id: evidenceExportJobTable.id,
      tenantId: evidenceExportJobTable.tenantId,
      scopeUnits: evidenceExportJobTable.scopeUnits,
      selection: evidenceExportJobTable.selection,
    })
    .from(evidenceExportJobTable)
    .where(eq(evidenceExportJobTable.tenantId, tenantId))
    .orderBy(desc(evidenceExportJobTable.createdAt), desc(evidenceExportJobTable.id));
  const visible = all.filter((r) => mayView(scope, r));
  const total = visible.length;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, Math.floor(input.page ?? 1)), pages);
  const ids = visible.slice((page - 1) * pageSize, page * pageSize).map((r) => r.id);
  const rows = ids.length
    ? await ctx.db
        .select()
        .from(evidenceExportJobTable)
        .where(
          and(
            eq(evidenceExportJobTable.tenantId, tenantId),
            sql`${evidenceExportJobTable.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
          ),
        )
        .orderBy(desc(evidenceExportJobTable.createdAt), desc(evidenceExportJobTable.id))
    : [];
  return { items: await views(ctx, tenantId, rows), total, page, pages };
}
