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
import { and, eq, inArray } from 'drizzle-orm';
import { coverageMonthTable, orgUnitTable, tenantTable } from '../../../../db/schema/index.ts';
import { endOfDayBerlin } from '../../shared/dates.ts';
import type { Scope } from '../authz/authorize.ts';
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
    const status = await computeStatusAsOf(ctx, { ...scope, orgUnitIds: null }, { asOf: at, recordedBy: opts.recordedBy });
    const groups = countByGroup(status.people);
    await ctx.db
      .insert(coverageMonthTable)
      .values({ tenantId, monthEnd: at, recordedBy: opts.recordedBy, groups })
      .onConflictDoUpdate({
        target: [coverageMonthTable.tenantId, coverageMonthTable.monthEnd],
        set: { recordedBy: opts.recordedBy, groups },
      });
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
