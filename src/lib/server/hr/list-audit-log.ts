/**
 * HR's view of the district's audit log (`hr.view`): who did what, when — newest first, filtered by kind of entry and
 * period, paged. The personal part of an entry (who acted, whom it concerned) is shown by name only for people in
 * the HR grant's scope; others appear as "Person außerhalb Ihres Bereichs", erased parts as "gelöscht". CLI actors
 * appear with their operator name. The full, verifiable export is export-audit-log.ts.
 */
import { type SQL, sql } from 'drizzle-orm';
import { userTable } from '../../../../db/schema/index.ts';
import { authorize, inScope, type Scope } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';

export const AUDIT_PAGE_SIZE = 50;

export interface AuditLogEntry {
  seq: number;
  at: Date;
  type: string;
  actor: string;
  subject: string | null;
  data: Record<string, unknown>;
}

export interface AuditLogPage {
  items: AuditLogEntry[];
  total: number;
  page: number;
  pages: number;
  /** Kinds of entries in the log, for the filter. */
  types: string[];
}

interface Row {
  seq: number;
  at: number;
  type: string;
  data: string;
  actor: string | null;
  subject: string | null;
  erased: number | null;
  hasPersonal: number;
}

/** Entries of the scope's chain matching `where`, one page, with names resolved as the module comment says. */
export async function readAuditEntries(
  ctx: Ctx,
  scope: Scope,
  where: SQL,
  page: number,
  pageSize = AUDIT_PAGE_SIZE,
): Promise<{ items: AuditLogEntry[]; total: number; page: number; pages: number }> {
  const chain = scope.tenantId as string;
  const [countRow] = await ctx.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM audit_events e WHERE e.chain = ${chain} AND ${where}`);
  const total = countRow?.n ?? 0;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, Math.floor(page)), pages);
  const rows = await ctx.db.all<Row>(sql`
    SELECT e.chain_seq AS seq, e.at AS at, e.type AS type, e.data AS data,
           coalesce(json_extract(p.data, '$.actorId'), e.actor_id) AS actor,
           coalesce(json_extract(p.data, '$.subjectId'), e.subject_id) AS subject,
           p.erased_by AS erased, p.seq IS NOT NULL AS hasPersonal
      FROM audit_events e LEFT JOIN audit_personal p ON p.seq = e.seq
     WHERE e.chain = ${chain} AND ${where}
     ORDER BY e.chain_seq DESC LIMIT ${pageSize} OFFSET ${(current - 1) * pageSize}`);
  const ids = [...new Set(rows.flatMap((r) => [r.actor, r.subject]).filter((x): x is string => Boolean(x) && !String(x).includes(':')))];
  const people = ids.length
    ? await ctx.db.all<{ id: string; name: string; unit: string | null }>(
        sql`SELECT id, name, org_unit_id AS unit FROM ${userTable} WHERE tenant_id = ${chain} AND id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
      )
    : [];
  const byId = new Map(people.map((p) => [p.id, p]));
  const nameOf = (id: string | null, erased: boolean): string | null => {
    if (erased) return 'gelöscht';
    if (!id) return null;
    if (id.startsWith('operator:')) return `${id.slice('operator:'.length)} (Kommandozeile)`;
    if (id.startsWith('system:')) return `KIKO-System (${id.slice('system:'.length)})`;
    const p = byId.get(id);
    if (!p) return 'unbekannte Person';
    // HR sees everyone it acted on itself, others only within its grant's subtree
    return id === scope.actorUserId || inScope(scope, p.unit) ? p.name : 'Person außerhalb Ihres Bereichs';
  };
  const items = rows.map((r) => ({
    seq: r.seq,
    at: new Date(r.at),
    type: r.type,
    actor: nameOf(r.actor, r.erased !== null) ?? '–',
    subject: nameOf(r.subject, r.erased !== null && r.subject !== null),
    data: JSON.parse(r.data) as Record<string, unknown>,
  }));
  return { items, total, page: current, pages };
}

export async function listAuditLog(
  ctx: Ctx,
  input: { type?: string | null; from?: Date | null; to?: Date | null; page?: number },
): Promise<AuditLogPage> {
  const scope = await authorize(ctx, 'hr.view');
  const conditions: SQL[] = [sql`1 = 1`];
  if (input.type) conditions.push(sql`e.type = ${input.type}`);
  if (input.from) conditions.push(sql`e.at >= ${input.from.getTime()}`);
  if (input.to) conditions.push(sql`e.at <= ${input.to.getTime()}`);
  const [page, types] = await Promise.all([
    readAuditEntries(ctx, scope, sql.join(conditions, sql` AND `), input.page ?? 1),
    ctx.db.all<{ type: string }>(sql`SELECT DISTINCT type FROM audit_events WHERE chain = ${scope.tenantId} ORDER BY type`),
  ]);
  return { ...page, types: types.map((t) => t.type) };
}
