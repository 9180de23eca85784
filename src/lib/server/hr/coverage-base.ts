/**
 * The shared first step of HR's overview, exports and the staff council view, after `authorize` decided the scope:
 * every person's status as of T (recorded by R) from the one status rule, the org units of the scope, and the people
 * the filters select (an org subtree, a job role). Filters narrow the scope, never widen it.
 */
import { eq, sql } from 'drizzle-orm';
import { contentVersionTable, orgUnitTable, userTable } from '../../../../db/schema/index.ts';
import type { Scope } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { pathRulesAt } from '../evidence/content-archive.ts';
import { computeStatusAsOf, type PersonStatus, type StatusAsOf } from '../evidence/status-as-of.ts';
import type { OrgUnitRow } from './coverage.ts';
import { subtreeOf } from './coverage.ts';

export interface CoverageFilters {
  /** Only this org unit and its sub-units (already checked against the scope by `authorize`). */
  orgUnitId?: string | null;
  jobRole?: string | null;
}

export interface CoverageBase {
  status: StatusAsOf;
  /** Org units the scope covers. */
  units: OrgUnitRow[];
  /** Roots of the tree shown: the filtered unit, or the scope's top units. */
  roots: string[];
  /** The filtered unit, if any. */
  unit: OrgUnitRow | null;
  /** The people the filters select. */
  people: PersonStatus[];
}

export async function loadCoverageBase(
  ctx: Ctx,
  scope: Scope,
  opts: { asOf: Date; recordedBy: Date; filters: CoverageFilters },
): Promise<CoverageBase> {
  const [status, selection] = await Promise.all([
    computeStatusAsOf(ctx, scope, { asOf: opts.asOf, recordedBy: opts.recordedBy }),
    coverageSelection(ctx, scope, opts.filters),
  ]);
  const people = status.people.filter(selection.selects);
  return { status, units: selection.units, roots: selection.roots, unit: selection.unit, people };
}

/** The org units of the scope, the roots shown, the filtered unit, and which people the filters select. */
export interface CoverageSelection {
  units: OrgUnitRow[];
  roots: string[];
  unit: OrgUnitRow | null;
  selects: (p: PersonStatus) => boolean;
}

/** The org units and filters of loadCoverageBase without the status (an export reads the status in slices). */
export async function coverageSelection(ctx: Ctx, scope: Scope, filters: CoverageFilters): Promise<CoverageSelection> {
  const tenantId = scope.tenantId as string;
  const all = await ctx.db
    .select({ id: orgUnitTable.id, code: orgUnitTable.code, name: orgUnitTable.name, parentId: orgUnitTable.parentId })
    .from(orgUnitTable)
    .where(eq(orgUnitTable.tenantId, tenantId));
  const units = scope.orgUnitIds ? all.filter((u) => scope.orgUnitIds?.has(u.id)) : all;
  const inUnits = new Set(units.map((u) => u.id));
  const unit = filters.orgUnitId ? (units.find((u) => u.id === filters.orgUnitId) ?? null) : null;
  const subtree = unit ? subtreeOf(units, unit.id) : null;
  const jobRole = filters.jobRole;
  const selects = (p: PersonStatus): boolean =>
    (!subtree || (p.orgUnitId !== null && subtree.has(p.orgUnitId))) && (!jobRole || p.jobRole === jobRole);
  const roots = unit ? [unit.id] : units.filter((u) => !u.parentId || !inUnits.has(u.parentId)).map((u) => u.id);
  return { units, roots, unit, selects };
}

/**
 * Names of people of one district (erased people carry their pseudonym), looked up by primary key in one query whose
 * rows come back as one JSON text (tens of thousands of names for the overdue list of a big district). The `+` keeps
 * the planner on the primary key: with the tenant condition it may walk the district's org-members index for every
 * id instead (1.3 s for 250 names of 50,000 after the statistics of migration 0019).
 */
export async function namesOf(
  ctx: Ctx,
  scope: Scope,
  userIds: readonly string[],
): Promise<Map<string, { name: string; email: string | null; erased: boolean }>> {
  if (userIds.length === 0) return new Map();
  const tenantId = scope.tenantId as string;
  const [row] = await ctx.db.all<{ rows: string | null }>(
    sql`SELECT json_group_array(json_array(u.id, u.name, u.email)) AS rows
          FROM json_each(${JSON.stringify(userIds)}) AS j CROSS JOIN ${userTable} AS u ON u.id = j.value
         WHERE +u.tenant_id = ${tenantId}`,
  );
  const rows = JSON.parse(row?.rows ?? '[]') as [string, string, string][];
  return new Map(
    rows.map(([id, name, email]) => {
      // erase-person.ts replaces the address by "<id>@geloescht.invalid" and the name by the pseudonym
      const erased = email.endsWith('@geloescht.invalid');
      return [id, { name, email: erased ? null : email, erased }];
    }),
  );
}

/** A content version in force at T. */
export interface VersionInForce {
  kind: 'path' | 'course';
  id: string;
  title: string;
  version: string | null;
}

/**
 * The learning paths (their rules as valid at T, pathRulesAt) and courses (the latest version first served by T) in
 * force at T: printed with every figure, so a reader knows which content the figures refer to.
 */
/** (`_scope`: a step after `authorize`; the curriculum is the installation's, not the district's.) */
export async function contentVersionsAt(ctx: Ctx, _scope: Scope, asOf: Date): Promise<VersionInForce[]> {
  const [rules, courses] = await Promise.all([
    pathRulesAt(ctx.db, ctx.content, asOf),
    ctx.db.all<{ id: string; title: string; version: string }>(sql`
      SELECT content_id AS id, title, version FROM ${contentVersionTable} AS v
       WHERE kind = 'course' AND first_served_at <= ${asOf.getTime()}
         AND first_served_at = (SELECT max(first_served_at) FROM ${contentVersionTable} AS w
                                 WHERE w.kind = 'course' AND w.content_id = v.content_id AND w.first_served_at <= ${asOf.getTime()})
       ORDER BY content_id`),
  ]);
  const out: VersionInForce[] = [...rules.values()]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((r) => ({ kind: 'path', id: r.id, title: r.title, version: r.version }));
  const seen = new Set<string>();
  for (const c of courses) {
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    out.push({ kind: 'course', id: c.id, title: c.title, version: c.version });
  }
  return out;
}
