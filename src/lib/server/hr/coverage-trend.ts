/**
 * Coverage per month: the figures at the end of each of the last months (Europe/Berlin) and at T itself, each from
 * the one status rule as of that day with the same recording cut-off, counted by coverage.ts. Months before the
 * district's record began are left out.
 *
 * Past month ends are computed once for the whole district and stored per org unit and job role (coverage_months);
 * a later request sums the stored groups of its scope and filters. A stored month is used when it was computed with a
 * cut-off no later than the one asked for: nothing recorded since can have changed it, because a backdated fact drops
 * the months it reaches (evidence/record.ts). With an earlier cut-off the month is computed again, as recorded then.
 */
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { coverageMonthTable, learningEventTable, orgUnitTable, tenantTable } from '../../../../db/schema/index.ts';
import { endOfDayBerlin } from '../../shared/dates.ts';
import { authorize, type Scope } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { computeStatusAsOf } from '../evidence/status-as-of.ts';
import { type CountGroup, type CoverageCounts, countByGroup, countCoverage, subtreeOf, sumGroups } from './coverage.ts';
import { type CoverageFilters, loadCoverageBase } from './coverage-base.ts';
import { berlinDay } from './evidence-dates.ts';

export interface TrendPoint {
  /** The day the figures are as of (end of a month, or T). */
  at: Date;
  counts: CoverageCounts;
}

/** The month ends before T, newest last, at most `months` − 1 of them, then T. */
export function monthEnds(asOf: Date, months: number, notBefore: Date): Date[] {
  const [y, m] = berlinDay(asOf).split('-').map(Number) as [number, number];
  const out: Date[] = [];
  for (let i = months - 1; i >= 1; i--) {
    // day 0 of the following month is the last day of the month i months back
    const last = new Date(Date.UTC(y, m - i, 0));
    const end = endOfDayBerlin(last.toISOString().slice(0, 10));
    if (end >= notBefore && end < asOf) out.push(new Date(Math.floor(end.getTime() / 60_000) * 60_000));
  }
  out.push(asOf);
  return out;
}

export async function coverageTrend(
  ctx: Ctx,
  scope: Scope,
  /** `current`: the figures at T when the caller has counted them already (they end the trend). */
  opts: { asOf: Date; recordedBy: Date; filters: CoverageFilters; months?: number; current?: CoverageCounts },
): Promise<TrendPoint[]> {
  const tenantId = scope.tenantId as string;
  const [t] = await ctx.db.select({ start: tenantTable.recordStartedAt }).from(tenantTable).where(eq(tenantTable.id, tenantId));
  const start = t?.start ?? opts.asOf;
  const ends = monthEnds(opts.asOf, opts.months ?? 24, start);
  const past = ends.slice(0, -1);
  const stored = new Map(
    (past.length === 0
      ? []
      : await ctx.db
          .select()
          .from(coverageMonthTable)
          .where(and(eq(coverageMonthTable.tenantId, tenantId), inArray(coverageMonthTable.monthEnd, past)))
    ).map((r) => [r.monthEnd.getTime(), r]),
  );
  const keep = await groupFilter(ctx, scope, opts.filters);
  // months are stored only with a cut-off of "now": an export with an earlier cut-off computes them as recorded then
  const now = ctx.clock();
  const storable = now.getTime() - opts.recordedBy.getTime() < 5 * 60_000;
  const points: TrendPoint[] = [];
  // one after the other: each computation reads the district's facts once; in parallel they would compete for the cores
  for (const at of past) {
    const s = stored.get(at.getTime());
    if (s && s.recordedBy <= opts.recordedBy) {
      points.push({ at, counts: sumGroups(s.groups as CountGroup[], keep) });
      continue;
    }
    if (!storable) {
      const base = await loadCoverageBase(ctx, scope, { asOf: at, recordedBy: opts.recordedBy, filters: opts.filters });
      points.push({ at, counts: countCoverage(base.people) });
      continue;
    }
    // the whole district once, stored; the caller's scope and filters only pick from it
    const groups = await storeMonth(ctx, scope, at, opts.recordedBy);
    points.push({ at, counts: sumGroups(groups, keep) });
  }
  const last = ends[ends.length - 1] as Date;
  if (opts.current) points.push({ at: last, counts: opts.current });
  else {
    const base = await loadCoverageBase(ctx, scope, { asOf: last, recordedBy: opts.recordedBy, filters: opts.filters });
    points.push({ at: last, counts: countCoverage(base.people) });
  }
  return points;
}

/**
 * Computes the figures of the whole district at a month end (recorded by R) and stores them per org unit and job role.
 * A fact recorded meanwhile that takes effect by the month end (a backdated entry; its drop of the stored months ran
 * before this insert) may be missing from the figures: then they are returned but not stored.
 */
async function storeMonth(ctx: Ctx, scope: Scope, at: Date, recordedBy: Date): Promise<CountGroup[]> {
  const tenantId = scope.tenantId as string;
  const [before] = await ctx.db.all<{ seq: number }>(sql`SELECT coalesce(max(seq), 0) AS seq FROM ${learningEventTable}`);
  const status = await computeStatusAsOf(ctx, { ...scope, orgUnitIds: null }, { asOf: at, recordedBy, keep: false });
  const groups = countByGroup(status.people);
  const [late] = await ctx.db.all<{ one: number }>(
    sql`SELECT 1 AS one FROM ${learningEventTable}
         WHERE seq > ${before?.seq ?? 0} AND tenant_id = ${tenantId} AND effective_at <= ${at.getTime()} LIMIT 1`,
  );
  if (late) return groups;
  await ctx.db
    .insert(coverageMonthTable)
    .values({ tenantId, monthEnd: at, recordedBy, groups })
    .onConflictDoUpdate({ target: [coverageMonthTable.tenantId, coverageMonthTable.monthEnd], set: { recordedBy, groups } });
  return groups;
}

/**
 * The month ends of the last `months` months that the district has no stored figures for (never computed, or dropped
 * by a backdated fact), computed and stored one after the other, recorded by now; the server job calls this so that
 * HR's overview and the PDF report find every past month stored. `yieldBetween` runs between two months (the job
 * lets the event loop breathe). Returns the month ends computed.
 */
export async function storeMissingMonths(ctx: Ctx, opts: { months?: number; yieldBetween?: () => Promise<void> } = {}): Promise<Date[]> {
  const scope = await authorize(ctx, 'hr.view');
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  const [t] = await ctx.db.select({ start: tenantTable.recordStartedAt }).from(tenantTable).where(eq(tenantTable.id, tenantId));
  if (!t?.start) return [];
  const past = monthEnds(now, opts.months ?? 24, t.start).slice(0, -1);
  if (past.length === 0) return [];
  const stored = new Set(
    (
      await ctx.db
        .select({ monthEnd: coverageMonthTable.monthEnd })
        .from(coverageMonthTable)
        .where(and(eq(coverageMonthTable.tenantId, tenantId), inArray(coverageMonthTable.monthEnd, past)))
    ).map((r) => r.monthEnd.getTime()),
  );
  const missing = past.filter((at) => !stored.has(at.getTime()));
  for (const [i, at] of missing.entries()) {
    if (i > 0) await opts.yieldBetween?.();
    await storeMonth(ctx, scope, at, ctx.clock());
  }
  return missing;
}

/** The active districts whose learning record has begun (for the server job; no person's data). */
export async function districtsWithRecord(db: Db): Promise<string[]> {
  const rows = await db
    .select({ id: tenantTable.id })
    .from(tenantTable)
    .where(and(eq(tenantTable.status, 'active'), isNotNull(tenantTable.recordStartedAt)));
  return rows.map((r) => r.id);
}

/** Which stored groups a scope and its filters count: the same people loadCoverageBase selects. */
async function groupFilter(ctx: Ctx, scope: Scope, filters: CoverageFilters): Promise<(unit: string | null, role: string) => boolean> {
  let units: Set<string> | null = scope.orgUnitIds ? new Set(scope.orgUnitIds) : null;
  if (filters.orgUnitId) {
    const all = await ctx.db
      .select({ id: orgUnitTable.id, code: orgUnitTable.code, name: orgUnitTable.name, parentId: orgUnitTable.parentId })
      .from(orgUnitTable)
      .where(eq(orgUnitTable.tenantId, scope.tenantId as string));
    const sub = subtreeOf(all, filters.orgUnitId);
    units = units ? new Set([...sub].filter((u) => units?.has(u))) : sub;
  }
  return (unit, role) => (!units || (unit !== null && units.has(unit))) && (!filters.jobRole || role === filters.jobRole);
}
